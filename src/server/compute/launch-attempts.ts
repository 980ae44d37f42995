import type { LaunchState } from '../../contracts/api.js';
import type { LaunchAttemptRecord, Store } from '../../store/port.js';
import { Settings } from '../settings.js';
import { profileOf } from './variants.js';

/** A profile gives up on its queued runs after this many failed launches… */
export const DEFAULT_LAUNCH_ATTEMPTS = 5;
/** …or this long after the first failed, whichever comes first. */
export const DEFAULT_LAUNCH_GIVE_UP_MIN = 30;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface LaunchLimits {
  attempts: number;
  giveUpMs: number;
}

/** A profile's limits (`launchAttempts`, `launchGiveUpMin` in its settings), defaults otherwise. */
export async function launchLimits(store: Store, target: string): Promise<LaunchLimits> {
  const p = await store.compute.getProfile(profileOf(target)).catch(() => null);
  let s: Record<string, unknown> = {};
  try {
    s = p ? (JSON.parse(p.settingsJson) as Record<string, unknown>) : {};
  } catch {
    // a profile's settings were validated when stored; unreadable ones get the defaults
  }
  const n = Number(s.launchAttempts);
  const min = Number(s.launchGiveUpMin);
  return {
    attempts: Number.isInteger(n) && n >= 1 ? n : DEFAULT_LAUNCH_ATTEMPTS,
    giveUpMs: (Number.isFinite(min) && min > 0 ? min : DEFAULT_LAUNCH_GIVE_UP_MIN) * 60_000,
  };
}

/** The wait before the launch after `attempts` failed ones: base, twice that, … up to 5 minutes. */
export async function backoffMs(store: Store, attempts: number): Promise<number> {
  const base = await new Settings(store).get('runs.launchBackoffMs');
  return Math.min(Math.max(MAX_BACKOFF_MS, base), base * 2 ** Math.max(0, attempts - 1));
}

/** Whether the failed launches reached the profile's limit (count or time since the first). */
export function exhausted(r: LaunchAttemptRecord, limits: LaunchLimits, now: number): boolean {
  return r.attempts >= limits.attempts || now - Date.parse(r.firstAt) >= limits.giveUpMs;
}

/** What a queued run's row shows of its target's failed launches. */
export function launchState(r: LaunchAttemptRecord, limits: LaunchLimits): LaunchState {
  return {
    attempts: r.attempts,
    maxAttempts: limits.attempts,
    nextAt: r.nextAt,
    lastError: r.lastError,
    giveUpAt: new Date(Date.parse(r.firstAt) + limits.giveUpMs).toISOString(),
  };
}

/** The launch state of each target a list of queued runs names, read once per target. */
export class LaunchStates {
  private readonly seen = new Map<string, Promise<LaunchState | undefined>>();

  constructor(private readonly store: Store) {}

  of(target: string): Promise<LaunchState | undefined> {
    let s = this.seen.get(target);
    if (!s) {
      s = (async () => {
        const r = await this.store.agents.launchAttempts(target);
        return r ? launchState(r, await launchLimits(this.store, target)) : undefined;
      })();
      this.seen.set(target, s);
    }
    return s;
  }
}
