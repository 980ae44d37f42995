import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, type ZodType } from 'zod';
import { ERROR_STATUS } from '../contracts/errors.js';
import { ApiFailure } from './api-error.js';
import type { Auth, Authenticator } from './auth.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteSpec<P, Q, B> {
  method: Method;
  url: string;
  /**
   * `public` routes skip auth; `user` needs a session or personal token; `admin` an admin;
   * `agent` an agent-scoped token (which every other route refuses).
   */
  auth: 'public' | 'user' | 'admin' | 'agent';
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  status?: number;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: Auth | null;
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
export function makeRoute(app: FastifyInstance, auth: Authenticator) {
  return function route<P = undefined, Q = undefined, B = undefined, R = unknown>(
    spec: RouteSpec<P, Q, B>,
    handler: (ctx: RouteContext<P, Q, B>) => Promise<R>,
  ): void {
    app.route({
      method: spec.method,
      url: spec.url,
      handler: async (req, reply) => {
        let who: Auth | null = null;
        if (spec.auth !== 'public') {
          who = await auth.authenticate(req);
          if (!who)
            throw new ApiFailure('unauthorized', 'log in or send "Authorization: token <access token>"');
          if (spec.auth === 'agent') {
            if (who.scope !== 'agent')
              throw new ApiFailure('forbidden', `a ${who.scope} token cannot act as an agent`);
          } else {
            if (spec.auth === 'admin' && who.role !== 'admin')
              throw new ApiFailure('forbidden', 'this needs an admin');
            if (who.scope !== 'user')
              throw new ApiFailure('forbidden', `a ${who.scope} token cannot call this route`);
          }
        }
        const ctx: RouteContext<P, Q, B> = {
          params: parse(spec.params, req.params, 'path'),
          query: parse(spec.query, req.query, 'query'),
          body: parse(spec.body, req.body, 'body'),
          auth: who,
          req,
          reply,
        };
        const result = await handler(ctx);
        if (reply.sent) return reply;
        if (result === undefined) return reply.code(204).send();
        return reply.code(spec.status ?? 200).send(result);
      },
    });
  };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof ApiFailure) {
      return reply
        .code(ERROR_STATUS[err.code])
        .send({ error: err.message, code: err.code, detail: err.detail });
    }
    const fe = err as { statusCode?: number; code?: string; message?: string };
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code = fe.statusCode === 413 ? 'payload_too_large' : 'bad_request';
      return reply.code(fe.statusCode).send({ error: fe.message ?? 'bad request', code });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal error; see the server log', code: 'internal' });
  });
}
