import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ProjectName } from '../../contracts/api.js';
import {
  DvcWebhook,
  LIVE_LIMITS,
  LiveEvent,
  type DvcWebhookAnswer,
  type LiveAck,
  type LiveExperimentList,
  PlotsQuery,
  type PlotsResponse,
} from '../../contracts/live.js';
import { checkLimits, checkRequestBytes } from '../../core/live/limits.js';
import { ApiFailure } from '../api-error.js';
import type { Authenticator } from '../auth.js';
import type { Store } from '../../store/port.js';
import type { ProjectService } from '../projects/project-service.js';
import { makeRoute } from '../route.js';
import type { LiveAuth } from './live-auth.js';
import type { LiveService } from './live-service.js';
import type { PlotsReader } from './plots.js';
import type { TableService } from '../table/table-service.js';

export interface LiveRouteDeps {
  auth: Authenticator;
  store: Store;
  liveAuth: LiveAuth;
  live: LiveService;
  plots: PlotsReader;
  projects: ProjectService;
  tables: TableService;
  /** The server's public URL, known once it listens. */
  url: () => string;
}

const ProjectParams = z.object({ name: ProjectName });
const LiveParams = z.object({ name: ProjectName, id: z.string().min(1).max(250) });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const at = first && first.path.length ? ` at ${first.path.join('.')}` : '';
  throw new ApiFailure(
    'bad_request',
    `invalid event${at}: ${first?.message ?? 'malformed'}`,
    z.prettifyError(r.error),
  );
}

/**
 * Live protocol and plots routes, in their own Fastify context so an oversized or unparsable
 * body also answers with a JSON `detail`, as DVCLive users need to see why a post failed.
 */
export async function registerLiveRoutes(app: FastifyInstance, deps: LiveRouteDeps): Promise<void> {
  await app.register(async (child) => {
    child.setErrorHandler((err: unknown, req, reply) => {
      const fe = err instanceof Error ? (err as Error & { statusCode?: number }) : null;
      if (fe?.statusCode === 413)
        return reply.code(413).send({
          error: 'request too large',
          code: 'payload_too_large',
          detail: `${fe.message}; the limit is 30 MB a request`,
          requestId: req.id,
        });
      if (fe?.statusCode === 400 && !(err instanceof ApiFailure))
        return reply.code(400).send({
          error: 'malformed request body',
          code: 'bad_request',
          detail: fe.message,
          requestId: req.id,
        });
      throw err;
    });
    // Refuse an oversized live post before reading 30 MB of it.
    child.addHook('onRequest', async (req, reply) => {
      const length = Number(req.headers['content-length'] ?? 0);
      if (req.url.split('?')[0] !== '/api/live' || !(length > LIVE_LIMITS.requestBytes)) return;
      const check = checkRequestBytes(length);
      if (!check.ok)
        await reply
          .code(413)
          .send({ error: 'request too large', code: 'payload_too_large', detail: check.detail });
    });
    const route = makeRoute(child, deps.auth, deps.store);
    const { live, liveAuth, plots, projects } = deps;

    route(
      { method: 'POST', url: '/api/live', permission: 'live' },
      async ({ req, auth }): Promise<LiveAck> => {
        const caller = await liveAuth.callerFor(auth);
        const event = parseBody(LiveEvent, req.body);
        const length = Number(req.headers['content-length'] ?? 0);
        const limits = checkLimits(event, Number.isFinite(length) ? length : 0);
        if (!limits.ok)
          throw new ApiFailure('payload_too_large', 'request over the live limits', limits.detail);
        const rec = await live.ingest(event, caller);
        return { ok: true, id: rec.id, url: `${deps.url()}/projects/${encodeURIComponent(rec.project)}` };
      },
    );

    route(
      { method: 'POST', url: '/webhook/dvc', permission: 'live' },
      async ({ req, auth }): Promise<DvcWebhookAnswer> => {
        const caller = await liveAuth.callerFor(auth);
        const body = parseBody(DvcWebhook, req.body);
        // A monorepo added once per subdir: the refs are the repository's, so each project's.
        const names = await live.projectsFor(body.repo_url, caller);
        for (const project of names) {
          await live.removeRefs(project, body.refs.removed);
          if (body.refs.pushed.length > 0) await live.markPushed(project, body.refs.pushed);
          // the table reads pushed experiments from the mirror: fetch now, not at the next timer
          if (body.refs.pushed.length > 0 || body.refs.removed.length > 0)
            void projects.reload(project).catch(() => undefined);
        }
        return { url: `${deps.url()}/projects/${encodeURIComponent(names[0] ?? '')}` };
      },
    );

    route(
      { method: 'GET', url: '/api/projects/:name/live', permission: 'project:read', params: ProjectParams },
      async ({ params }): Promise<LiveExperimentList> => {
        await projects.get(params.name);
        const page = await deps.tables.table(params.name, true, 0, 100_000);
        const commits = new Set(page.rows.filter((r) => r.name === undefined).map((r) => r.rev));
        return { experiments: await live.list(params.name, commits) };
      },
    );

    route(
      {
        method: 'DELETE',
        url: '/api/projects/:name/live/:id',
        permission: 'project:run',
        params: LiveParams,
      },
      async ({ params }) => {
        await live.remove(params.name, params.id);
      },
    );

    route(
      {
        method: 'GET',
        url: '/api/projects/:name/plots',
        permission: 'project:read',
        params: ProjectParams,
        query: PlotsQuery,
      },
      async ({ params, query }): Promise<PlotsResponse> => {
        const p = await projects.get(params.name);
        const sources = [
          ...(await Promise.all(query.rev.map((r) => plots.commit(p.name, p.subdir, r)))),
          ...(await Promise.all(query.exp.map((e) => plots.experiment(p.name, p.subdir, e)))),
        ];
        return { project: p.name, sources };
      },
    );
  });
}
