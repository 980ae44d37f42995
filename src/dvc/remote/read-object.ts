import type { ObjectStore } from './object-store.js';
import { parseManifest } from './transfer.js';

export type CappedRead =
  { kind: 'text'; text: string } | { kind: 'too-large'; size: number } | { kind: 'missing' };

/**
 * Reads a tracked file kept in the DVC cache or remote (not in Git) for the table, within a size
 * cap: past it the caller shows a "skipped: too large" marker instead of the content.
 * `relpath` picks a file inside a tracked directory (`oid` ending in `.dir`).
 */
export async function readTrackedText(
  store: ObjectStore,
  oid: string,
  maxBytes: number,
  relpath?: string,
): Promise<CappedRead> {
  let target = oid;
  if (oid.endsWith('.dir')) {
    if (relpath === undefined) return { kind: 'missing' };
    if (!(await store.has(oid))) return { kind: 'missing' };
    const entry = parseManifest(await store.readText(oid)).find((e) => e.relpath === relpath);
    if (entry === undefined) return { kind: 'missing' };
    target = entry.md5;
  }
  const size = await store.size(target);
  if (size === undefined) return { kind: 'missing' };
  if (size > maxBytes) return { kind: 'too-large', size };
  return { kind: 'text', text: await store.readText(target) };
}
