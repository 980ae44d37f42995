import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { holdSqliteDataDir } from '../store/sqlite-holder.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { Authenticator } from './auth.js';
import type { ServerConfig } from './config.js';
import { EventBus } from './event-bus.js';
import { ProjectService } from './projects/project-service.js';
import { ANONYMOUS_BODY_LIMIT, installErrorHandler, makeRoute } from './route.js';
import { registerRoutes } from './routes.js';
import { registerIdentity } from './identity/routes.js';
import { SecretBox } from './secrets.js';
import { probeSandbox } from '../compute/sandbox.js';
import { registerSse } from './sse.js';
import { registerTeamRoutes } from './authz/team-routes.js';
import { secureDataDir } from './data-dir.js';
import { installJsonParser } from './json-body.js';
import { loggerOptions } from './logging.js';
import { ensureDemoProject } from './ensure-demo.js';
import { createRuns, type Runs } from './runs/index.js';
import { startCluster } from './cluster/index.js';
import { ExperimentRows } from './table/experiment-rows.js';
import { RepoReader } from './table/repo-reader.js';
import { TableService } from './table/table-service.js';
import { createLive, type Live } from './live/index.js';
import { registerCi } from './ci/register.js';
import { registerCompute } from './compute/register.js';
import { installAuditHook } from './audit/index.js';
import { registerAuditRoutes } from './audit/routes.js';
import { registerDeviceLogin } from './device-login/routes.js';
import { registerBudgetRoutes } from './compute/budget-routes.js';

export const VERSION = '0.1.0';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  projects: ProjectService;
  tables: TableService;
  auth: Authenticator;
  runs: Runs;
  live: Live;
  loginUrl: string;
  /** Every registered route, for tests that check each one's auth. */
  routes: ReadonlyArray<{ method: string; url: string; permission?: string }>;
  close(): Promise<void>;
}

function webDist(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '../../web/dist'), path.resolve(here, '../../../web/dist')]) {
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

/** The composition root: opens the store, wires services and routes, listens. */
export async function startServer(
  config: ServerConfig,
  log: (line: string) => void = console.log,
  /** Where the request log (pino's JSON lines) goes instead of stdout; tests read it. */
  logStream?: { write(line: string): void },
): Promise<RunningServer> {
  secureDataDir(config.home, log);
  // SQLite serves one server: a second one on this data dir is refused, pointing to PostgreSQL.
  const holder = config.databaseUrl ? null : holdSqliteDataDir(config.home);
  const store = await openStore(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'sqlite', file: path.join(config.home, 'kiln.db') },
  );
  const box = SecretBox.open(config.home, config.secretKey);
  const bus = new EventBus();
  // Several servers on one PostgreSQL: events reach every server's browsers, one runs the singletons.
  const cluster = await startCluster(config.databaseUrl, bus, log);
  const auth = new Authenticator(store);
  const projects = new ProjectService(store, box, bus, config.home, {
    // The demo repository is always a source; the admin's roots come beside it.
    roots: [path.join(config.home, 'demo-repo'), ...(config.sourceRoots ?? [])],
    allowPrivate: config.allowPrivateSources ?? false,
  });

  // Routes of the route builder set their own limits by caller; anything else (an unknown path)
  // gets no more than an anonymous caller.
  const app = Fastify({
    ...loggerOptions(config.logLevel ?? 'info', logStream),
    bodyLimit: ANONYMOUS_BODY_LIMIT,
  });
  await app.register(fastifyCookie);
  installJsonParser(app);
  installErrorHandler(app);
  installAuditHook(app, store);
  const routes: Array<{ method: string; url: string; permission?: string }> = [];
  app.addHook('onRoute', (r) => {
    const declared = (r.config as { permission?: string } | undefined)?.permission;
    for (const method of [r.method].flat())
      if (method !== 'HEAD')
        routes.push({ method, url: r.url, ...(declared ? { permission: declared } : {}) });
  });
  const route = makeRoute(app, auth, store);
  const identity = registerIdentity(route, {
    store,
    auth,
    box,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
  });
  const repo = new RepoReader(store, projects);
  const live = createLive({
    store,
    projects,
    repo,
    bus,
    auth,
    staleAfterSec: config.liveStaleSec ?? 600,
    leader: cluster.leader,
  });
  const tables = new TableService({
    store,
    projects,
    home: config.home,
    repo,
    experiments: new ExperimentRows(store, projects, repo),
    live: live.service,
  });
  registerRoutes(route, {
    store,
    auth,
    projects,
    tables,
    version: VERSION,
    passwordSignIn: identity.passwordSignIn,
    bus,
  });
  registerAuditRoutes(route, { store });
  registerBudgetRoutes(route, { store });
  registerDeviceLogin(route, { store, auth, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}) });
  const runs = createRuns({
    store,
    projects,
    tables,
    bus,
    auth,
    box,
    home: config.home,
    leader: cluster.leader,
    ...(config.agentCommand ? { agentCommand: config.agentCommand } : {}),
  });
  runs.register(route, app);
  await live.register(app, tables);
  const ci = await registerCi(app, route, {
    store,
    box,
    projects,
    tables,
    auth,
    home: config.home,
    bus,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
  });
  registerCompute(route, { store, box, auth });
  registerSse(route, store, bus);
  registerTeamRoutes(route, { store, bus });

  const dist = webDist();
  if (dist) {
    await app.register(fastifyStatic, { root: dist, wildcard: false });
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/')) return reply.sendFile('index.html');
      return reply.code(404).send({
        error: `no route ${req.method} ${req.url.split('?')[0]}`,
        code: 'not_found',
        requestId: req.id,
      });
    });
  } else {
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send({
        error: `no route ${req.method} ${req.url.split('?')[0]} (web UI not built: npm run build)`,
        code: 'not_found',
        requestId: req.id,
      }),
    );
  }

  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url =
    config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  const { user, created } = await store.ensureAdmin();
  if (created) log(`Created the admin account.`);
  const code = await auth.createLoginCode(user.id);
  const loginUrl = `${url}/login?code=${code}`;
  log(`Kiln ${VERSION} listening on ${url} (data in ${config.home})`);
  log(`Login: ${loginUrl}`);
  const isolation = await probeSandbox();
  log(`${isolation.sandboxed ? 'Local' : 'Warning, local'} ${isolation.detail}.`);
  await runs.start(url);
  live.start(url);

  if (config.createDemo) {
    await ensureDemoProject(store, projects, config.home, log).catch((err: unknown) =>
      log(`Could not create the demo project: ${String(err)}`),
    );
  }

  const timer =
    config.fetchIntervalSec > 0
      ? setInterval(() => void projects.reloadAll(), config.fetchIntervalSec * 1000)
      : null;
  timer?.unref();

  return {
    url,
    app,
    store,
    projects,
    tables,
    auth,
    runs,
    live,
    loginUrl,
    routes,
    async close() {
      if (timer) clearInterval(timer);
      await runs.close();
      live.close();
      ci.close();
      await app.close();
      tables.close();
      await cluster.close();
      await store.close();
      holder?.release();
    },
  };
}
