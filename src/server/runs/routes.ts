import { z } from 'zod';
import { AgentMessage } from '../../contracts/agent.js';
import { ProjectName, RepoPath } from '../../contracts/api.js';
import type { LocalCompute } from '../../contracts/compute.js';
import { probeSandbox } from '../../compute/sandbox.js';
import {
  CreateBranchBody,
  CreateExperimentBody,
  ExperimentName,
  FormQuery,
  LogQuery,
  RunAgainBody,
  UpdateExperimentBody,
  isFinished,
  type CreatedAgentToken,
  type CreatedExperiments,
  type LogPage,
} from '../../contracts/experiments.js';
import { ApiFailure } from '../api-error.js';
import type { Auth, Authenticator } from '../auth.js';
import { atLeast, type ProjectAccess } from '../authz/index.js';
import type { makeRoute } from '../route.js';
import type { Store } from '../../store/port.js';
import type { ExperimentService } from './experiment-service.js';
import type { Targets } from '../compute/targets.js';
import type { AgentProtocol } from './agent-protocol.js';
import type { Dispatcher } from './dispatcher.js';
import { createBranch } from './branch.js';
import { streamLog } from './log-stream.js';
import type { UploadStore } from './uploads.js';
import { Settings } from '../settings.js';

const ProjectParams = z.object({ name: ProjectName });
const ExpParams = z.object({ name: ProjectName, exp: ExperimentName });
const ConcurrencyBody = z.object({ concurrency: z.number().int().min(1).max(64) });

const UploadQuery = z.object({ path: RepoPath });

export interface RunRouteDeps {
  store: Store;
  auth: Authenticator;
  experiments: ExperimentService;
  dispatcher: Dispatcher;
  agents: AgentProtocol;
  targets: Targets;
  uploads: UploadStore;
  uploadLimit: () => Promise<number>;
}

/** Experiment routes (see the list in contracts/experiments.ts) and the agent endpoint. */
export function registerRunRoutes(route: ReturnType<typeof makeRoute>, deps: RunRouteDeps): void {
  const { experiments, dispatcher, agents, targets, auth, store } = deps;
  const base = '/api/projects/:name/experiments';

  /** Records who queued the runs: members may cancel or reorder only their own. */
  const owned = async (created: CreatedExperiments, who: Auth | null): Promise<CreatedExperiments> => {
    if (who) for (const e of created.experiments) await store.teams.setRunOwner(e.id, who.user.id);
    return created;
  };
  const ownRunOnly = async (
    project: string,
    name: string,
    who: Auth | null,
    access: ProjectAccess | null,
    verb: string,
  ): Promise<void> => {
    if (!who || !access || atLeast(access.role, 'maintainer')) return;
    const exp = await experiments.record(project, name);
    if ((await store.teams.runOwner(exp.id)) !== who.user.id)
      throw new ApiFailure(
        'forbidden',
        `${access.role}s can ${verb} only their own runs${access.team ? ` — ask a maintainer of team ${access.team}` : ''}`,
      );
  };

  route(
    {
      method: 'POST',
      url: base,
      permission: 'project:run',
      params: ProjectParams,
      body: CreateExperimentBody,
      status: 201,
    },
    async ({ params, body, auth: who }) => {
      await targets.check(body.target);
      return owned(await experiments.create(params.name, body), who);
    },
  );
  route(
    { method: 'GET', url: base, permission: 'project:read', params: ProjectParams },
    async ({ params }) => ({
      experiments: await experiments.list(params.name),
    }),
  );
  route(
    {
      method: 'GET',
      url: '/api/projects/:name/experiments-form',
      permission: 'project:read',
      params: ProjectParams,
      query: FormQuery,
    },
    async ({ params, query }) => experiments.form(params.name, query.rev),
  );
  route(
    { method: 'GET', url: `${base}/:exp`, permission: 'project:read', params: ExpParams },
    async ({ params }) => {
      const e = await experiments.get(params.name, params.exp);
      return { ...e, placement: await targets.placement(e.id, e.target) };
    },
  );
  route(
    {
      method: 'PATCH',
      url: `${base}/:exp`,
      permission: 'project:run',
      params: ExpParams,
      body: UpdateExperimentBody,
    },
    async ({ params, body, auth: who, access }) => {
      await ownRunOnly(params.name, params.exp, who, access, 'reorder');
      const r = await experiments.setPriority(params.name, params.exp, body.priority);
      dispatcher.notify();
      return r;
    },
  );
  route(
    { method: 'POST', url: `${base}/:exp/cancel`, permission: 'project:run', params: ExpParams },
    async ({ params, auth: who, access }) => {
      await ownRunOnly(params.name, params.exp, who, access, 'cancel');
      return experiments.cancel(params.name, params.exp);
    },
  );
  route(
    {
      method: 'POST',
      url: `${base}/:exp/run-again`,
      permission: 'project:run',
      params: ExpParams,
      body: RunAgainBody,
      status: 201,
    },
    async ({ params, body, auth: who }) =>
      owned(await experiments.runAgain(params.name, params.exp, body.name), who),
  );
  route(
    {
      method: 'POST',
      url: `${base}/:exp/branch`,
      permission: 'project:run',
      params: ExpParams,
      body: CreateBranchBody,
    },
    async ({ params, body }) => createBranch(experiments, params.name, params.exp, body),
  );
  route(
    {
      method: 'GET',
      url: `${base}/:exp/logs`,
      permission: 'project:read',
      params: ExpParams,
      query: LogQuery,
    },
    async ({ params, query }) => {
      const exp = await experiments.record(params.name, params.exp);
      let chunks = await experiments.logs.read(exp.project, exp.id, query.after);
      let status = (await experiments.get(params.name, params.exp)).status;
      if (chunks.length === 0 && !isFinished(status) && query.wait > 0) {
        await new Promise<void>((resolve) => {
          const off = experiments.logs.subscribe(exp.id, () => done());
          const t = setTimeout(done, query.wait);
          const poll = setInterval(
            () => void experiments.get(params.name, params.exp).then((e) => isFinished(e.status) && done()),
            500,
          );
          function done() {
            off();
            clearTimeout(t);
            clearInterval(poll);
            resolve();
          }
        });
        chunks = await experiments.logs.read(exp.project, exp.id, query.after);
        status = (await experiments.get(params.name, params.exp)).status;
      }
      const next = chunks.at(-1)?.seq ?? query.after;
      const last = await experiments.logs.lastSeq(exp.project, exp.id);
      return { chunks, next, status, done: isFinished(status) && next >= last } satisfies LogPage;
    },
  );
  route(
    {
      method: 'GET',
      url: `${base}/:exp/logs/stream`,
      permission: 'project:read',
      params: ExpParams,
      query: LogQuery,
    },
    async ({ params, query, req, reply }) => {
      await streamLog(experiments, params.name, params.exp, query.after, req, reply);
      return undefined;
    },
  );

  route(
    {
      method: 'POST',
      url: '/api/projects/:name/uploads',
      permission: 'project:run',
      params: ProjectParams,
      query: UploadQuery,
      status: 201,
    },
    async ({ params, query, req }) => {
      // Any other type has had its body read by a parser already: it would be stored as 0 bytes.
      if (!/^application\/octet-stream\b/i.test(req.headers['content-type'] ?? ''))
        throw new ApiFailure(
          'bad_request',
          `an upload is the file's raw bytes sent as "content-type: application/octet-stream", not ${req.headers['content-type'] ?? 'without a content type'}`,
        );
      await experiments.where(params.name);
      const saved = await deps.uploads.save(params.name, req.raw, await deps.uploadLimit());
      return { ...saved, path: query.path };
    },
  );
  route(
    { method: 'GET', url: '/api/compute/local', permission: 'signed-in' },
    async (): Promise<LocalCompute> => ({
      concurrency: (await dispatcher.settings(true)).concurrency,
      isolation: await probeSandbox(),
    }),
  );
  route(
    { method: 'PUT', url: '/api/compute/local', permission: 'instance:admin', body: ConcurrencyBody },
    async ({ body }) => {
      await new Settings(store).set('compute.local.concurrency', body.concurrency);
      dispatcher.notify();
      return { concurrency: body.concurrency };
    },
  );
  route(
    { method: 'POST', url: '/api/agents/tokens', permission: 'instance:admin', status: 201 },
    async ({ auth: who }) => {
      if (!who) throw new ApiFailure('unauthorized', 'not logged in');
      const t = await auth.createToken(who.user.id, 'agent', 'agent');
      return { token: t.token, id: t.id } satisfies CreatedAgentToken;
    },
  );

  // Agents use their own scoped token, which the user routes refuse.
  route(
    { method: 'POST', url: '/api/agent', permission: 'agent', body: AgentMessage },
    async ({ body, auth: who, req, reply }) => {
      // An agent that dies mid long-poll closes its connection before the answer.
      const gone = new AbortController();
      const closed = () => {
        if (!reply.raw.writableFinished) gone.abort();
      };
      reply.raw.on('close', closed);
      try {
        // A long-poll authenticated before its token was revoked must not take a job after.
        const valid = async () => (await auth.authenticate(req))?.tokenId === who?.tokenId;
        return await agents.answer(body, who?.tokenId ?? null, gone.signal, valid);
      } finally {
        reply.raw.off('close', closed);
      }
    },
  );
}
