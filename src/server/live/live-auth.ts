import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Auth } from '../auth.js';
import { atLeast, projectAccess, refusal } from '../authz/index.js';

/**
 * Who may post live events: a person's token (scope live, run or admin, limited to the projects
 * they may run in and that the token names), or a Kiln run's token limited to its project.
 */
export type LiveCaller =
  | {
      kind: 'user';
      auth: Auth;
      /** `hidden` for a project the person may not see (it must look absent), else ok/forbidden. */
      access(project: string): Promise<'ok' | 'hidden' | 'forbidden'>;
      refusal(project: string): Promise<string>;
    }
  | { kind: 'run'; auth: Auth; project: string; experimentId: string };

/**
 * Turns the route builder's caller of `/api/live` and `/webhook/dvc` into a live caller. Only
 * which experiment a run token is for is kept in memory (it never changes); the token itself is
 * read from the database on each request, so a revocation holds at once.
 */
export class LiveAuth {
  private readonly runs = new Map<string, { project: string; experimentId: string }>();

  constructor(private readonly store: Store) {}

  async callerFor(who: Auth | null): Promise<LiveCaller> {
    if (!who)
      throw new ApiFailure('unauthorized', 'missing token', 'send "Authorization: token <DVC_STUDIO_TOKEN>"');
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
    const store = this.store;
    return {
      kind: 'user',
      auth: who,
      async access(project) {
        const a = await projectAccess(store, who, project);
        if (!a) return 'hidden';
        return atLeast(a.role, 'member') ? 'ok' : 'forbidden';
      },
      async refusal(project) {
        const a = await projectAccess(store, who, project);
        return a ? refusal(a.role, 'live', a.team) : 'not a member';
      },
    };
  }
}
