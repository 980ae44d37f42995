/**
 * Failed sign-ins per account and address: each failure makes the next answer slower, and
 * after {@link LOCK_AFTER} failures within {@link WINDOW_MS} that account is refused from that
 * address until the window passes. Kept in memory: a second server counts on its own, which
 * still caps guessing at a few tries a minute per server.
 */
export const LOCK_AFTER = 5;
export const WINDOW_MS = 15 * 60_000;
const STEP_MS = 200;
const MAX_KEYS = 50_000;

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  private key(name: string, ip: string): string {
    return `${name.toLowerCase()}\u0000${ip}`;
  }

  private recent(key: string): number[] {
    const since = this.now() - WINDOW_MS;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** Milliseconds until this account may try again from this address; 0 when it may now. */
  lockedFor(name: string, ip: string): number {
    const times = this.recent(this.key(name, ip));
    if (times.length < LOCK_AFTER) return 0;
    return Math.max(0, (times[times.length - LOCK_AFTER] ?? 0) + WINDOW_MS - this.now());
  }

  /** Records a failure; returns how long to hold the answer back. */
  failed(name: string, ip: string): number {
    const key = this.key(name, ip);
    const times = this.recent(key);
    if (this.failures.size >= MAX_KEYS) this.failures.clear();
    times.push(this.now());
    this.failures.set(key, times);
    return Math.min(times.length * STEP_MS, 2000);
  }

  succeeded(name: string, ip: string): void {
    this.failures.delete(this.key(name, ip));
  }
}
