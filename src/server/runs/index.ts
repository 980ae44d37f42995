import path from 'node:path';
import { LocalBackend } from '../../compute/local.js';
import type { Store } from '../../store/port.js';
import type { Authenticator } from '../auth.js';
import { checkCredential } from '../compute/check-credential.js';
import { CredentialService } from '../compute/credential-service.js';
import { registerGitHttp } from '../compute/git-http.js';
import { Targets } from '../compute/targets.js';
import type { SecretBox } from '../secrets.js';
import type { EventBus } from '../event-bus.js';
import type { ProjectService } from '../projects/project-service.js';
import type { makeRoute } from '../route.js';
import type { TableService } from '../table/table-service.js';
import { ExperimentService } from './experiment-service.js';
import { LogStore } from './log-store.js';
import { registerRunRoutes } from './routes.js';
import { isFinished } from '../../contracts/run-lifecycle.js';
import { AgentProtocol } from './agent-protocol.js';
import { Dispatcher } from './dispatcher.js';
import { LeaseMonitor } from './lease-monitor.js';
import { UploadStore } from './uploads.js';
import type { FastifyInstance } from 'fastify';
import { Settings } from '../settings.js';

export interface RunsDeps {
  store: Store;
  projects: ProjectService;
  /** The experiments table: a pushed experiment is a run's record too. */
  tables: TableService;
  bus: EventBus;
  auth: Authenticator;
  home: string;
  /** argv that starts an agent (tests and the packaged build override it). */
  agentCommand?: readonly string[];
  /** Opens compute credentials for remote targets. */
  box: SecretBox;
  /** The single-file agent copied to remote targets (dist/agent.mjs by default). */
  agentBundle?: string;
  /** Whether this server runs the cluster's singletons (see cluster/leader.ts); default always. */
  leader?: () => boolean;
}

/** Wires experiments, the dispatcher, the agent protocol, the lease monitor, the log store and the local compute backend. */
export function createRuns(deps: RunsDeps) {
  const { store, projects, bus, auth, home } = deps;
  const names = new Map<string, string>();
  const logs = new LogStore(store, path.join(home, 'logs'), (project, id, chunk) => {
    const name = names.get(id);
    if (name) bus.publish({ type: 'experiment.log', project, id, name, chunk });
    else
      void store.experiments.getById(id).then((e) => {
        if (!e) return;
        names.set(id, e.name);
        bus.publish({ type: 'experiment.log', project, id, name: e.name, chunk });
      });
  });
  const uploads = new UploadStore(path.join(home, 'uploads'), store);
  let url = '';
  const backend = new LocalBackend({
    home,
    url: () => url,
    mintToken: async () => {
      const { user } = await store.ensureAdmin();
      const t = await auth.createToken(user.id, 'local agent', 'agent');
      return { id: t.id, token: t.token };
    },
    revokeToken: async (id) => {
      const { user } = await store.ensureAdmin();
      await store.revokeToken(id, user.id);
    },
    ...(deps.agentCommand ? { command: deps.agentCommand } : {}),
  });
  const experiments = new ExperimentService(store, projects, bus, logs, uploads, deps.tables);
  const targets = new Targets({
    store,
    auth,
    credentials: new CredentialService(store, deps.box, checkCredential),
    local: backend,
    url: () => url,
    home,
    ...(deps.leader ? { leader: deps.leader } : {}),
    ...(deps.agentBundle ? { agentBundle: deps.agentBundle } : {}),
  });
  const dispatcher = new Dispatcher(store, experiments, auth, targets);
  const agents = new AgentProtocol(store, experiments, dispatcher, targets);
  const monitor = new LeaseMonitor(store, experiments, dispatcher, targets, deps.leader);
  // A run queued or ended, here or through another server, wakes this server's waiting agents.
  bus.subscribe((e) => {
    if (e.type === 'experiment.status' && (e.status === 'queued' || isFinished(e.status)))
      dispatcher.notify();
  });
  // A deleted project leaves nothing behind: its logs, uploads and run tokens (its runs' rows
  // in the agent and log tables go with its experiments).
  projects.onRemove(async (project) => {
    const ids = (await store.experiments.list(project)).map((e) => e.id);
    await store.deleteTokensByScope(ids.map((id) => `run:${id}`));
    await store.teams.removeRunOwners(ids);
    await logs.removeProject(project, ids);
    await uploads.removeProject(project);
  });
  return {
    experiments,
    dispatcher,
    agents,
    targets,
    backend,
    register(route: ReturnType<typeof makeRoute>, app: FastifyInstance) {
      // Uploads stream to disk from the raw request; no parser buffers them.
      app.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null));
      registerGitHttp(app, { store, auth, mirror: async (p) => (await experiments.where(p)).mirror });
      registerRunRoutes(route, {
        store,
        auth,
        experiments,
        dispatcher,
        agents,
        targets,
        uploads,
        uploadLimit: () => new Settings(store).get('uploads.maxBytes'),
      });
    },
    async start(serverUrl: string) {
      url = serverUrl;
      dispatcher.start(serverUrl);
      await monitor.start();
    },
    /** Stops the dispatcher and the lease monitor; with `stopAgents`, the local agents and their jobs too. */
    async close(stopAgents = true) {
      monitor.stop();
      dispatcher.stop();
      if (stopAgents) await Promise.all([backend.stop(), targets.stop()]);
    },
  };
}

export type Runs = ReturnType<typeof createRuns>;
