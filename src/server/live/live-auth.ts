import type { FastifyRequest } from 'fastify';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Auth, Authenticator } from '../auth.js';

/** Who may post live events: a person's token, or a Kiln run's token limited to its project. */
export type LiveCaller =
  { kind: 'user'; auth: Auth } | { kind: 'run'; auth: Auth; project: string; experimentId: string };

/**
 * Authenticates `/api/live` and `/webhook/dvc` callers. Training posts many events a second with
 * one token: the Authenticator keeps verified tokens in memory and forgets one the moment it is
 * revoked, so nothing here caches the token itself — only which experiment a run token is for,
 * which never changes.
 */
export class LiveAuth {
  private readonly runs = new Map<string, { project: string; experimentId: string }>();

  constructor(
    private readonly auth: Authenticator,
    private readonly store: Store,
  ) {}

  async authorize(req: FastifyRequest): Promise<LiveCaller> {
    if (!req.headers.authorization)
      throw new ApiFailure('unauthorized', 'missing token', 'send "Authorization: token <DVC_STUDIO_TOKEN>"');
    const who = await this.auth.authenticate(req);
    if (!who) throw new ApiFailure('unauthorized', 'invalid token', 'the token is unknown or revoked');
    return this.callerFor(who);
  }

  private async callerFor(who: Auth): Promise<LiveCaller> {
    if (who.scope === 'user') return { kind: 'user', auth: who };
    const run = /^run:(.+)$/.exec(who.scope);
    if (run?.[1]) {
      let known = this.runs.get(run[1]);
      if (!known) {
        const exp = await this.store.experiments.getById(run[1]);
        if (!exp) throw new ApiFailure('forbidden', 'run token of an unknown run', `scope ${who.scope}`);
        if (this.runs.size > 10_000) this.runs.clear();
        known = { project: exp.project, experimentId: exp.id };
        this.runs.set(run[1], known);
      }
      return { kind: 'run', auth: who, ...known };
    }
    throw new ApiFailure(
      'forbidden',
      `a ${who.scope} token cannot post live metrics`,
      'use a personal access token or the run token Kiln gives a job',
    );
  }
}
