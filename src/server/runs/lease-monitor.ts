import { ExperimentStatus } from '../../contracts/api.js';
import { isFinished } from '../../contracts/run-lifecycle.js';
import type { Store } from '../../store/port.js';
import type { Targets } from '../compute/targets.js';
import { profileOf } from '../compute/variants.js';
import type { Dispatcher } from './dispatcher.js';
import type { ExperimentService } from './experiment-service.js';
import { demandByTarget, watchMachines } from './target-watch.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** How often the monitor looks at leases, machines and demand. */
const TICK_MS = 500;

/**
 * Twice a second: a job whose agent stopped heartbeating past its lease becomes `lost`, a job
 * whose machine is gone too (`target-watch.ts`), and each target with demand is asked for agents
 * up to its cap. Local agents are this server's own; everything else is done by the one server
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
      for (const [target, want] of await demandByTarget(this.store)) {
        if (!leader && target !== 'local') continue;
        const t = await this.targets.get(target).catch(() => null);
        if (!t) continue;
        // Local agents stay up while anything is active; others come per queued or running run.
        await t.backend.ensureAgents(t.kind === 'local' ? t.cap : Math.min(want, t.cap)).then(
          () => this.noteQueued(target, null),
          (err: unknown) =>
            this.noteQueued(
              target,
              `waiting: no ${t.kind} machine could be started for ${profileOf(target)}: ${message(err)}`,
            ),
        );
      }
    } finally {
      this.ticking = false;
    }
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
