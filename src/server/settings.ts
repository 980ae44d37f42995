import { z } from 'zod';
import { ApiFailure } from './api-error.js';
import type { Store } from '../store/port.js';

/**
 * The instance-wide settings Kiln keeps in the Store's settings table, each with its schema and
 * the value used while none (or an invalid one) is stored. Every reader and writer goes through
 * {@link Settings}; keyed families (a compute variant's machine, a project's webhook secret) have
 * their own modules (`compute/variants.ts`, `ci/webhook-secrets.ts`).
 */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
export const SETTINGS = {
  /** Jobs the local target runs at once. */
  'compute.local.concurrency': { schema: int(1, 64), fallback: 2 },
  /** How long an agent's claim holds without a heartbeat. */
  'runs.leaseMs': { schema: int(1000, 3_600_000), fallback: 30_000 },
  /** Starts a run gets when its machine goes away (spot reclaim, lost agent) before it fails. */
  'runs.maxAttempts': { schema: int(1, 100), fallback: 3 },
  /** The wait after a machine launch failed, doubling after each further failure (up to 5 min). */
  'runs.launchBackoffMs': { schema: int(1, 3_600_000), fallback: 15_000 },
  /** The largest input file a person may upload to replace a data file. */
  'uploads.maxBytes': { schema: int(1), fallback: 1024 * 1024 * 1024 },
  /** The largest metrics/plots file the table reads from a project's DVC remote. */
  'table.dvcRemoteMaxBytes': { schema: int(1), fallback: 1024 * 1024 },
} as const;
export type SettingKey = keyof typeof SETTINGS;

/** Values made once per install and then kept: the first writer wins, on every server. */
export const ONCE = {
  /** This Kiln's id: the label on every machine it starts. */
  'compute.install': z.string().regex(/^[0-9a-f]{12}$/),
  /** When the demo project was made (it is not made again after a person deletes it). */
  'demo.created': z.string().datetime(),
} as const;
export type OnceKey = keyof typeof ONCE;

export class Settings {
  constructor(private readonly store: Store) {}

  /** The stored value, or the setting's fallback when none or an invalid one is stored. */
  async get<K extends SettingKey>(key: K): Promise<number> {
    const raw = await this.store.getSetting(key);
    if (raw === null) return SETTINGS[key].fallback;
    const v = SETTINGS[key].schema.safeParse(raw);
    return v.success ? v.data : SETTINGS[key].fallback;
  }

  /** Stores a value after checking it; a bad one is refused with the reason. */
  async set<K extends SettingKey>(key: K, value: number): Promise<void> {
    const v = SETTINGS[key].schema.safeParse(value);
    if (!v.success)
      throw new ApiFailure('bad_request', `${key}: ${v.error.issues[0]?.message ?? 'not a valid value'}`);
    await this.store.setSetting(key, String(v.data));
  }

  /** The once-made value, or null before it is made. */
  async once(key: OnceKey): Promise<string | null> {
    const raw = await this.store.getSetting(key);
    return raw !== null && ONCE[key].safeParse(raw).success ? raw : null;
  }

  /** Makes the once-made value unless another server already did; returns the one kept. */
  async makeOnce(key: OnceKey, make: () => string): Promise<string> {
    return (await this.once(key)) ?? this.store.claimSetting(key, make());
  }
}
