import type { PgLink } from './pg-link.js';

/**
 * Which server of a cluster runs the singletons (the scheduler's lease monitor and machine
 * watch, remote targets' machine starts, the reconciler, the stale-live sweeper): the one whose
 * cluster session holds a PostgreSQL advisory lock. A server that dies loses its session, so its
 * lock; another takes it at its next try, within `everyMs`.
 */
export class Leadership {
  private holding = false;
  private checking = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly link: PgLink,
    private readonly log: (line: string) => void,
    private readonly everyMs = 1000,
  ) {
    link.onLost(() => this.set(false));
  }

  get leader(): boolean {
    return this.holding;
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.holding && this.link.up)
      await this.link.query(`select pg_advisory_unlock(${LOCK})`, [this.key()]).catch(() => undefined);
    this.set(false);
  }

  private key(): string {
    return `kiln.leader.${this.link.schema}`;
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      if (!this.holding) {
        const r = await this.link.query<{ got: boolean }>(`select pg_try_advisory_lock(${LOCK}) as got`, [
          this.key(),
        ]);
        this.set(r.rows[0]?.got === true);
      } else {
        // A session that broke without an error event yet: found here, and the lock with it.
        await this.link.query('select 1');
      }
    } catch {
      this.set(false);
    } finally {
      this.checking = false;
    }
  }

  private set(holding: boolean): void {
    if (holding === this.holding) return;
    this.holding = holding;
    this.log(
      holding
        ? 'This server now runs the cluster singletons (lease monitor, machine starts, reconciler).'
        : 'This server no longer runs the cluster singletons.',
    );
  }
}

/** Two 32-bit keys: Kiln's own class, then the schema's leader lock. */
const LOCK = `hashtext('kiln'), hashtext($1)`;
