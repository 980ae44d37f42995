import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectVerifyError, type ObjectStore } from './object-store.js';
import { parseManifest } from './transfer.js';

export type CappedFile =
  { kind: 'bytes'; bytes: Buffer } | { kind: 'too-large'; size: number } | { kind: 'missing' };
export type CappedRead =
  { kind: 'text'; text: string } | { kind: 'too-large'; size: number } | { kind: 'missing' };

/**
 * The files of a tracked directory (`oid` ending in `.dir`) from its manifest; null when the store
 * lacks it. The manifest is verified as every object is: DVC names it by the md5 of its JSON text
 * as stored, so one whose bytes hash otherwise (tampered, or planted under another directory's
 * name) is refused with an {@link ObjectVerifyError} rather than trusted for the files it lists.
 */
export async function readTrackedDir(
  store: ObjectStore,
  oid: string,
): Promise<Array<{ md5: string; relpath: string }> | null> {
  if (!(await store.has(oid))) return null;
  const text = await store.readText(oid);
  // invalid UTF-8 decodes lossily and so hashes otherwise too: refused, never half-trusted
  const actual = createHash('md5').update(text, 'utf8').digest('hex');
  if (actual !== oid.replace(/\.dir$/, '')) throw new ObjectVerifyError(oid, actual, store.label);
  return parseManifest(text);
}

/**
 * Reads a tracked file kept in the DVC cache or remote (not in Git) within a size cap, verified
 * by its md5: past the cap the caller shows a "skipped: too large" marker instead of the content.
 * `relpath` picks a file inside a tracked directory (`oid` ending in `.dir`).
 */
export async function readTrackedFile(
  store: ObjectStore,
  oid: string,
  maxBytes: number,
  relpath?: string,
): Promise<CappedFile> {
  let target = oid;
  if (oid.endsWith('.dir')) {
    if (relpath === undefined) return { kind: 'missing' };
    const entry = (await readTrackedDir(store, oid))?.find((e) => e.relpath === relpath);
    if (entry === undefined) return { kind: 'missing' };
    target = entry.md5;
  }
  const size = await store.size(target);
  if (size === undefined) return { kind: 'missing' };
  if (size > maxBytes) return { kind: 'too-large', size };
  const dir = await mkdtemp(join(tmpdir(), 'kiln-object-'));
  try {
    await store.download(target, join(dir, 'object'));
    return { kind: 'bytes', bytes: await readFile(join(dir, 'object')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** {@link readTrackedFile} decoded as UTF-8, for the table's metrics. */
export async function readTrackedText(
  store: ObjectStore,
  oid: string,
  maxBytes: number,
  relpath?: string,
): Promise<CappedRead> {
  const r = await readTrackedFile(store, oid, maxBytes, relpath);
  return r.kind === 'bytes' ? { kind: 'text', text: r.bytes.toString('utf8') } : r;
}
