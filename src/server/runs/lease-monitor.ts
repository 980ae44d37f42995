import { ExperimentStatus } from '../../contracts/api.js';
import { ProfileFull } from '../../compute/cloud/backend.js';
import { isFinished } from '../../contracts/run-lifecycle.js';
import type { LaunchAttemptRecord, Store } from '../../store/port.js';
import type { Target } from '../compute/target.js';
import type { Targets } from '../compute/targets.js';
import { profileOf } from '../compute/variants.js';
import type { Dispatcher } from './dispatcher.js';
import type { ExperimentService } from './experiment-service.js';
import { backoffMs, exhausted, launchLimits } from '../compute/launch-attempts.js';
import { demandByTarget, watchMachines } from './target-watch.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** How often the monitor looks at leases, machines and demand. */
const TICK_MS = 500;

/**
 * Twice a second: a job whose agent stopped heartbeating past its lease becomes `lost`, a job
 * whose machine is gone too (`target-watch.ts`), and each target with demand is asked for agents
 * up to its cap; a remote target's failed launches are retried with a backoff and, past the
 * profile's limit, fail its queued runs (`server/compute/launch-attempts.ts`, counted in the Store). Local agents are this server's own; everything else is done by the one server
 * of a cluster that runs the singletons (`leader`).
 */
export class LeaseMonitor {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  /** Targets whose queued rows say why no machine started. */
  private readonly noted = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly experiments: ExperimentService,
    private readonly dispatcher: Dispatcher,
    private readonly targets: Targets,
    private readonly leader: () => boolean = () => true,
  ) {}

  /** Jobs claimed before a restart get a fresh lease to reconnect in; then the ticks begin. */
  async start(): Promise<void> {
    const until = await this.dispatcher.leaseFromNow(true);
    for (const j of await this.store.experiments.claimed())
      await this.store.experiments.updateJob(j.id, { leaseUntil: until });
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const leader = this.leader();
      if (leader) {
        await this.expireLeases();
        await watchMachines(this.store, this.experiments, this.targets, (job) =>
          this.dispatcher.release(job),
        );
      }
      const demand = await demandByTarget(this.store);
      for (const [target, want] of demand) {
        if (!leader && target !== 'local') continue;
        const t = await this.targets.get(target).catch(() => null);
        if (!t) continue;
        // Local agents stay up while anything is active; others come per queued or running run.
        if (t.kind === 'local')
          await t.backend.ensureAgents(t.cap).then(
            () => this.noteQueued(target, null),
            (err: unknown) =>
              this.noteQueued(
                target,
                `waiting: no local machine could be started for local: ${message(err)}`,
              ),
          );
        else await this.launch(t, Math.min(want, t.cap));
      }
      // A target nothing waits for any more starts counting afresh.
      if (leader)
        for (const r of await this.store.agents.allLaunchAttempts())
          if (!demand.has(r.target)) await this.store.agents.clearLaunchAttempts(r.target);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Asks a remote target for `count` agents. A launch that fails is tried again after a backoff
   * (15 s, 30 s, 60 s… up to 5 minutes), counted in the Store so every server of a cluster
   * keeps the same count and schedule; past the profile's limit the target's queued runs fail
   * with the reason.
   */
  private async launch(t: Target, count: number): Promise<void> {
    const before = await this.store.agents.launchAttempts(t.name);
    if (before && Date.now() < Date.parse(before.nextAt)) return;
    // The backend's own pause after a failure gives way: this is the retry the schedule is for.
    if (before) t.backend.retryNow?.();
    try {
      await t.backend.ensureAgents(count);
    } catch (err) {
      // A profile whose machines all serve its other machine choices is busy, not failing.
      if (err instanceof ProfileFull)
        await this.noteQueued(
          t.name,
          `waiting: no ${t.kind} machine could be started for ${profileOf(t.name)}: ${message(err)}`,
        );
      else await this.launchFailed(t, before, message(err));
      return;
    }
    if (before) await this.store.agents.clearLaunchAttempts(t.name);
    await this.noteQueued(t.name, null);
  }

  private async launchFailed(t: Target, before: LaunchAttemptRecord | null, error: string): Promise<void> {
    const now = Date.now();
    const limits = await launchLimits(this.store, t.name);
    const attempts = (before?.attempts ?? 0) + 1;
    const rec: LaunchAttemptRecord = {
      target: t.name,
      attempts,
      firstAt: before?.firstAt ?? new Date(now).toISOString(),
      nextAt: new Date(now + (await backoffMs(this.store, attempts))).toISOString(),
      lastError: error,
    };
    const what = `no ${t.kind} machine could be started for ${profileOf(t.name)}`;
    if (!exhausted(rec, limits, now)) {
      await this.store.agents.putLaunchAttempts(rec);
      await this.noteQueued(
        t.name,
        `waiting: ${what}: launch attempt ${attempts} of ${limits.attempts} failed: ${error}; next try at ${rec.nextAt}`,
      );
      return;
    }
    const took = Math.round((now - Date.parse(rec.firstAt)) / 1000);
    const reason = `${what}: gave up after ${attempts} launch attempt${attempts === 1 ? '' : 's'} in ${took} s (the profile's limit is ${limits.attempts} attempts or ${Math.round(limits.giveUpMs / 60_000)} min); the last failed with: ${error}`;
    for (const e of await this.store.experiments.queued(t.name)) {
      const job = await this.store.experiments.jobFor(e.id);
      // A job an agent took meanwhile runs: only runs still waiting fail.
      if (job?.state !== 'queued') continue;
      await this.store.experiments.updateJob(job.id, { state: 'done' });
      await this.experiments.logs.append(e.project, e.id, [
        {
          seq: (await this.experiments.logs.lastSeq(e.project, e.id)) + 1,
          stream: 'system',
          text: `${reason}\n`,
        },
      ]);
      await this.experiments.transition(e, 'failed', { error: reason });
    }
    this.noted.delete(t.name);
    await this.store.agents.clearLaunchAttempts(t.name);
  }

  /** A claimed job past its lease: its agent stopped heartbeating, the run is `lost`. */
  private async expireLeases(): Promise<void> {
    const now = new Date().toISOString();
    for (const job of await this.store.experiments.claimed()) {
      if (!job.leaseUntil || job.leaseUntil >= now) continue;
      const exp = await this.store.experiments.getById(job.experimentId);
      await this.store.experiments.updateJob(job.id, { state: 'done' });
      if (exp && !isFinished(ExperimentStatus.parse(exp.status)))
        await this.experiments.transition(exp, 'lost', { error: 'the agent stopped sending heartbeats' });
      await this.dispatcher.release(job);
    }
  }

  /** Puts (or clears) why the queued experiments of `target` are still waiting on their rows. */
  private async noteQueued(target: string, error: string | null): Promise<void> {
    if (error === null && !this.noted.delete(target)) return;
    if (error !== null) this.noted.add(target);
    for (const e of await this.store.experiments.queued(target)) {
      if (error === null && !e.error?.startsWith('waiting: ')) continue;
      await this.experiments.note(e, error);
    }
  }
}
