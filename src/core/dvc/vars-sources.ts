import type { Value } from '../../contracts/api.js';
import { isValueRecord } from './value.js';

/** Per vars file, the values stages read through `${…}`, by dotted key (DVC's `tracked_vars`). */
export type TrackedVars = Record<string, Record<string, Value>>;

/**
 * Which vars file each leaf of a dvc.yaml's interpolation context came from, so the values a
 * stage interpolates can be shown under their file as `dvc params show` does (`_collect_vars`).
 * Files merge into one context without prefixes, so a key's path in the context is its path in
 * its file.
 */
export class VarsSources {
  private readonly leaves: Map<string, string>;

  constructor(from?: VarsSources) {
    this.leaves = new Map(from?.leaves);
  }

  /** Records the leaves of `values` as read from `source` (inline mappings have none). */
  add(source: string, values: Record<string, Value>, prefix = ''): void {
    for (const [k, v] of Object.entries(values)) {
      const key = `${prefix}${k}`;
      if (isValueRecord(v) && Object.keys(v).length > 0) this.add(source, v, `${key}.`);
      else this.leaves.set(key, source);
    }
  }

  /** Notes into `into` that `keys` (selecting `value`) was read, under the file it came from. */
  track(into: TrackedVars, keys: readonly string[], value: Value): void {
    for (let i = 1; i <= keys.length; i++) {
      const source = this.leaves.get(keys.slice(0, i).join('.'));
      if (source === undefined) continue;
      (into[source] ??= {})[keys.join('.')] = value;
      return;
    }
    // a mapping was read whole: every leaf of it was used
    const prefix = `${keys.join('.')}.`;
    for (const [leaf, source] of this.leaves) {
      if (!leaf.startsWith(prefix)) continue;
      let v: Value | undefined = value;
      for (const part of leaf.slice(prefix.length).split('.')) v = isValueRecord(v) ? v[part] : undefined;
      if (v !== undefined) (into[source] ??= {})[leaf] = v;
    }
  }
}
