import { createHash } from 'node:crypto';
import type { SignInFailureStore } from '../../store/kysely-signin.js';

/**
 * Failed sign-ins per account and address: each failure makes the next answer slower, and
 * after {@link LOCK_AFTER} failures within {@link WINDOW_MS} that account is refused from that
 * address until the window passes. Counted in the Store, so every server sharing it counts the
 * same failures.
 */
export const LOCK_AFTER = 5;
export const WINDOW_MS = 15 * 60_000;
const STEP_MS = 200;

export class SignInLimiter {
  constructor(
    private readonly failures: SignInFailureStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The account and address, hashed: the Store keeps neither in the clear. */
  private key(name: string, ip: string): string {
    return createHash('sha256').update(`${name.toLowerCase()}\u0000${ip}`).digest('hex');
  }

  private since(): string {
    return new Date(this.now() - WINDOW_MS).toISOString();
  }

  /** Milliseconds until this account may try again from this address; 0 when it may now. */
  async lockedFor(name: string, ip: string): Promise<number> {
    const times = await this.failures.since(this.key(name, ip), this.since());
    if (times.length < LOCK_AFTER) return 0;
    const first = Date.parse(times[times.length - LOCK_AFTER] ?? '');
    return Math.max(0, first + WINDOW_MS - this.now());
  }

  /** Records a failure; returns how long to hold the answer back. */
  async failed(name: string, ip: string): Promise<number> {
    const at = new Date(this.now()).toISOString();
    const times = await this.failures.fail(this.key(name, ip), at, this.since());
    return Math.min(times.length * STEP_MS, 2000);
  }

  async succeeded(name: string, ip: string): Promise<void> {
    await this.failures.clear(this.key(name, ip));
  }
}
