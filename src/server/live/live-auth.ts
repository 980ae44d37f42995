import type { FastifyRequest } from 'fastify';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Auth, Authenticator } from '../auth.js';

/** Who may post live events: a person's token, or a Kiln run's token limited to its project. */
export type LiveCaller =
  { kind: 'user'; auth: Auth } | { kind: 'run'; auth: Auth; project: string; experimentId: string };

const CACHE_MS = 5_000;

/**
 * Authenticates `/api/live` and `/webhook/dvc` callers. Training posts many events a second with
 * one token, so a successful lookup is reused for a few seconds (a revoked token stops working
 * within {@link CACHE_MS}).
 */
export class LiveAuth {
  private readonly cache = new Map<string, { caller: LiveCaller; until: number }>();

  constructor(
    private readonly auth: Authenticator,
    private readonly store: Store,
  ) {}

  async authorize(req: FastifyRequest): Promise<LiveCaller> {
    const header = req.headers.authorization;
    if (!header)
      throw new ApiFailure('unauthorized', 'missing token', 'send "Authorization: token <DVC_STUDIO_TOKEN>"');
    const now = Date.now();
    const hit = this.cache.get(header);
    if (hit && hit.until > now) return hit.caller;
    const who = await this.auth.authenticate(req);
    if (!who) throw new ApiFailure('unauthorized', 'invalid token', 'the token is unknown or revoked');
    const caller = await this.callerFor(who);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(header, { caller, until: now + CACHE_MS });
    return caller;
  }

  private async callerFor(who: Auth): Promise<LiveCaller> {
    if (who.scope === 'user') return { kind: 'user', auth: who };
    const run = /^run:(.+)$/.exec(who.scope);
    if (run?.[1]) {
      const exp = await this.store.experiments.getById(run[1]);
      if (!exp) throw new ApiFailure('forbidden', 'run token of an unknown run', `scope ${who.scope}`);
      return { kind: 'run', auth: who, project: exp.project, experimentId: exp.id };
    }
    throw new ApiFailure(
      'forbidden',
      `a ${who.scope} token cannot post live metrics`,
      'use a personal access token or the run token Kiln gives a job',
    );
  }
}
