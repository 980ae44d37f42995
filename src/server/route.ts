import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, type ZodType } from 'zod';
import { ERROR_STATUS } from '../contracts/errors.js';
import { StoreBusy } from '../store/sqlite-busy.js';
import { ApiFailure } from './api-error.js';
import type { Auth, Authenticator } from './auth.js';
import { setCaller } from './caller.js';
import type { Store } from '../store/port.js';
import {
  can,
  personalScope,
  projectAccess,
  projectNotFound,
  refusal,
  type Permission,
  type ProjectAccess,
} from './authz/index.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteSpec<P, Q, B> {
  method: Method;
  url: string;
  /**
   * What the caller needs (see authz/permissions.ts), checked before the body is read.
   * `project:*` routes name their project in `:name` (under /api/projects) or `:project`; a
   * caller who is no member gets 404 as for a project that does not exist. `team:admin`
   * routes name their team in `:team`; `team:owner` routes are for instance admins and owners
   * of some team or project (the handler narrows to what the request names). `agent` takes only agent tokens; `live` a person's
   * token allowed to post live metrics or a run's token (the project is checked by the route).
   */
  permission: Permission;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  status?: number;
  /** The largest body an authenticated caller may send (default {@link BODY_LIMIT}). */
  bodyLimit?: number;
  /**
   * The largest body an anonymous caller may send (default {@link ANONYMOUS_BODY_LIMIT}):
   * raised only where anonymous callers legitimately send more (a forge's signed webhook).
   */
  anonymousBodyLimit?: number;
}

/** What an authenticated request may send unless its route says otherwise. */
export const BODY_LIMIT = 32 * 1024 * 1024;
/** What a request without valid credentials may send: enough for a login or a small webhook. */
export const ANONYMOUS_BODY_LIMIT = 64 * 1024;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: Auth | null;
  /** The caller's effective role in the route's project (`project:*` routes). */
  access: ProjectAccess | null;
  req: FastifyRequest;
  reply: FastifyReply;
}

function parse<T>(schema: ZodType<T> | undefined, input: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(input ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    const at = first && first.path.length ? ` at ${where}.${first.path.join('.')}` : ` in ${where}`;
    throw new ApiFailure(
      'bad_request',
      `invalid request${at}: ${first?.message ?? 'malformed'}`,
      z.prettifyError(r.error),
    );
  }
  return r.data;
}

/**
 * The one route builder: parses and validates params, query and body against zod schemas,
 * authenticates, maps failures to `{error, code, detail}`; handlers receive typed input and return data.
 */
export function makeRoute(app: FastifyInstance, auth: Authenticator, store: Store) {
  return function route<P = undefined, Q = undefined, B = undefined, R = unknown>(
    spec: RouteSpec<P, Q, B>,
    handler: (ctx: RouteContext<P, Q, B>) => Promise<R>,
  ): void {
    // Who is calling, settled before the body is read (onRequest), so an anonymous or refused
    // caller never gets a large body parsed.
    const callers = new WeakMap<FastifyRequest, Auth | null>();
    const accesses = new WeakMap<FastifyRequest, ProjectAccess>();
    const anonymousLimit = Math.min(
      spec.anonymousBodyLimit ?? ANONYMOUS_BODY_LIMIT,
      spec.bodyLimit ?? BODY_LIMIT,
    );
    app.route({
      method: spec.method,
      url: spec.url,
      bodyLimit: spec.bodyLimit ?? BODY_LIMIT,
      // Read back by the route table (app.ts), so the security tests check every declared
      // permission, and by the audit trail.
      config: { permission: spec.permission },
      onRequest: async (req) => {
        const who = await auth.authenticate(req);
        callers.set(req, who);
        setCaller(req, who);
        if (who && !req.headers.authorization) refuseCrossSite(req);
        const access = await authorize(store, spec.permission, who, req.params as Record<string, string>);
        if (access) accesses.set(req, access);
      },
      preParsing: async (req, _reply, payload) => {
        if (callers.get(req)) return payload;
        return limitBody(payload, Number(req.headers['content-length'] ?? 0), anonymousLimit);
      },
      handler: async (req, reply) => {
        const who = callers.get(req) ?? null;
        const ctx: RouteContext<P, Q, B> = {
          params: parse(spec.params, req.params, 'path'),
          query: parse(spec.query, req.query, 'query'),
          body: parse(spec.body, req.body, 'body'),
          auth: who,
          access: accesses.get(req) ?? null,
          req,
          reply,
        };
        const result = await handler(ctx);
        // A handler that streamed returns the reply itself, whose send may still be under way.
        if (reply.sent || (result as unknown) === reply) return reply;
        if (result === undefined) return reply.code(204).send();
        return reply.code(spec.status ?? 200).send(result);
      },
    });
  };
}

/**
 * Refuses a caller without `permission` (401 anonymous, 403 short of it, 404 for a project or
 * team they are no member of); returns their access to the route's project.
 */
async function authorize(
  store: Store,
  permission: Permission,
  who: Auth | null,
  params: Record<string, string> | undefined,
): Promise<ProjectAccess | null> {
  if (permission === 'public') return null;
  if (!who)
    throw new ApiFailure(
      'unauthorized',
      permission === 'live'
        ? 'missing or invalid token'
        : 'log in or send "Authorization: token <access token>"',
      permission === 'live' ? 'send "Authorization: token <DVC_STUDIO_TOKEN>"' : undefined,
    );
  const scope = personalScope(who.scope);
  if (permission === 'agent') {
    if (!can(who, 'agent')) throw new ApiFailure('forbidden', `a ${who.scope} token cannot act as an agent`);
    return null;
  }
  if (permission === 'live') {
    if (!can(who, 'live'))
      throw new ApiFailure(
        'forbidden',
        `a ${who.scope} token cannot post live metrics`,
        'use a token with scope live, run or admin, or the run token Kiln gives a job',
      );
    return null;
  }
  if (scope === null) throw new ApiFailure('forbidden', `a ${who.scope} token cannot call this route`);
  if (scope === 'live')
    throw new ApiFailure('forbidden', 'a live token can only post live metrics (POST /api/live)');
  if (permission === 'signed-in') return null;
  if (permission === 'instance:admin') {
    if (who.role !== 'admin') throw new ApiFailure('forbidden', 'this needs an admin');
    if (!can(who, permission)) throw new ApiFailure('forbidden', `a ${who.scope} token cannot do this`);
    return null;
  }
  if (permission === 'team:admin') {
    const key = params?.team ?? '';
    const team = await store.teams.getTeam(key);
    const mine = team ? (await store.teams.teamsOf(who.user.id)).find((t) => t.id === team.id) : undefined;
    if (!team || (!mine && who.role !== 'admin')) throw new ApiFailure('not_found', `no team named "${key}"`);
    if (!can(who, permission, mine?.role ?? null))
      throw new ApiFailure(
        'forbidden',
        scope !== 'admin'
          ? `a ${who.scope} token cannot manage teams`
          : `only an owner of team ${team.name} can do this`,
      );
    return null;
  }
  if (permission === 'team:owner') {
    const owns =
      who.role === 'admin' ||
      (await store.teams.teamsOf(who.user.id)).some((t) => t.role === 'owner') ||
      (await store.audit.projectsOwnedBy(who.user.id)).length > 0;
    if (!owns) throw new ApiFailure('forbidden', refusal('viewer', permission, null));
    if (!can(who, permission, 'owner'))
      throw new ApiFailure('forbidden', `a ${who.scope} token cannot do this`);
    return null;
  }
  const name = params?.name ?? params?.project ?? '';
  const access = await projectAccess(store, who, name);
  if (!access) throw new ApiFailure('not_found', projectNotFound(name));
  if (!can(who, permission, access.role))
    throw new ApiFailure(
      'forbidden',
      access.capped
        ? `a ${who.scope} token cannot do this (its scope allows what a ${access.role} may do)`
        : refusal(access.role, permission, access.team),
    );
  return access;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A session cookie goes with every request the browser makes to this server, whichever page
 * makes it: a state change on a cookie must come from Kiln's own pages. Browsers say where a
 * request comes from (`Sec-Fetch-Site`, `Origin`); a client that says neither is not a browser.
 */
function refuseCrossSite(req: FastifyRequest): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const sameOrigin =
    site !== undefined
      ? site === 'same-origin' || site === 'none'
      : origin === undefined || hostOf(origin) === req.headers.host;
  if (!sameOrigin)
    throw new ApiFailure(
      'forbidden',
      'a logged-in browser request from another site cannot change anything here',
      `this ${req.method} came from ${origin ?? `a ${String(site)} page`}; use Kiln's own pages or an access token`,
    );
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

function tooLarge(limit: number): ApiFailure {
  return new ApiFailure(
    'payload_too_large',
    `request body too large: without a valid token a request may send at most ${Math.round(limit / 1024)} KiB`,
    'log in or send "Authorization: token <access token>" to send more',
  );
}

/** The body, cut off with a 413 past `limit` bytes: by its declared length at once, else as it streams. */
function limitBody(payload: Readable, declared: number, limit: number): Readable {
  if (declared > limit) throw tooLarge(limit);
  let seen = 0;
  return payload.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > limit) done(tooLarge(limit));
        else done(null, chunk);
      },
    }),
  );
}

export function installErrorHandler(app: FastifyInstance): void {
  // Every answer names its request, so a reported failure leads to its line in the log.
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  app.setErrorHandler((thrown: unknown, req, reply) => {
    const err = thrown instanceof StoreBusy ? new ApiFailure('unavailable', thrown.message) : thrown;
    if (err instanceof ApiFailure) {
      return reply
        .code(ERROR_STATUS[err.code])
        .send({ error: err.message, code: err.code, detail: err.detail, requestId: req.id });
    }
    const fe = err as { statusCode?: number; code?: string; message?: string };
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code = fe.statusCode === 413 ? 'payload_too_large' : 'bad_request';
      return reply.code(fe.statusCode).send({ error: fe.message ?? 'bad request', code, requestId: req.id });
    }
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      req.log.warn({ err }, 'input nested too deeply');
      return reply.code(400).send({
        error: 'the request nests values too deeply to read',
        code: 'bad_request',
        requestId: req.id,
      });
    }
    req.log.error({ err, method: req.method, url: req.url.split('?')[0] }, 'unhandled error');
    return reply.code(500).send({
      error: `internal error; the server log has it under request ${req.id}`,
      code: 'internal',
      requestId: req.id,
    });
  });
}
