/**
 * Paces a backend's `ensureAgents`: the scheduler asks twice a second, but a cloud or cluster
 * API must not be listed that often, and a launch that fails (a bad image, no quota, a wrong
 * namespace) must not be retried at that rate. Between checks, and while backing off after a
 * failure, a call that asks for no more agents than the last one returns at once (rethrowing
 * the failure, so callers still see why nothing starts).
 */
export class LaunchPacer {
  private next = 0;
  private want = 0;
  private failures = 0;
  private lastError: unknown = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly o: { everyMs: number; backoffMs: number; maxBackoffMs: number } = {
      everyMs: 5_000,
      backoffMs: 15_000,
      maxBackoffMs: 5 * 60_000,
    },
  ) {}

  /** Why the last launch failed, while backing off from it. */
  get error(): unknown {
    return this.lastError;
  }

  run(count: number, ensure: (count: number) => Promise<void>): Promise<void> {
    if (this.running) return this.running;
    if (Date.now() < this.next && count <= this.want)
      return this.lastError === null ? Promise.resolve() : Promise.reject(this.lastError);
    this.want = count;
    this.running = ensure(count).then(
      () => {
        this.failures = 0;
        this.lastError = null;
        this.next = Date.now() + this.o.everyMs;
      },
      (err: unknown) => {
        this.failures++;
        this.lastError = err;
        this.next = Date.now() + Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (this.failures - 1));
        throw err;
      },
    );
    const done = () => {
      this.running = null;
    };
    this.running.then(done, done);
    return this.running;
  }

  /** Forget the pause: agents stopped or a run ended, so the next call looks again. */
  reset(): void {
    this.next = 0;
    this.failures = 0;
    this.lastError = null;
  }
}
