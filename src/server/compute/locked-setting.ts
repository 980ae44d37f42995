import type { z } from 'zod';
import type { Store } from '../../store/port.js';

/**
 * A JSON setting read and rewritten one change at a time in this process: `change` edits the
 * parsed value in place, and it is written back only if it changed.
 */
export function lockedSetting<T extends Record<string, unknown>>(
  store: Store,
  key: string,
  schema: z.ZodType<T>,
) {
  let lock: Promise<unknown> = Promise.resolve();
  return (change?: (all: T) => void): Promise<T> => {
    const run = lock.then(async () => {
      const raw = await store.getSetting(key);
      const r = raw ? schema.safeParse(JSON.parse(raw)) : null;
      // An unset (or unreadable) setting is the empty record.
      const all = r?.success ? r.data : ({} as T);
      if (change) {
        const before = JSON.stringify(all);
        change(all);
        if (JSON.stringify(all) !== before) await store.setSetting(key, JSON.stringify(all));
      }
      return all;
    });
    lock = run.catch(() => undefined);
    return run;
  };
}
