import { mapLimit } from '../hash.js';
import type { LocalStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';

export interface TransferResult {
  transferred: string[];
  /** already present at the destination */
  skipped: string[];
  /** absent from the source */
  missing: string[];
}

const isDirOid = (oid: string): boolean => oid.endsWith('.dir');

/** Every object a hash needs: itself, and for a `.dir` hash the files its manifest lists. */
export async function expandOids(
  store: ObjectStore,
  oids: string[],
): Promise<{ oids: string[]; missing: string[] }> {
  const out = new Set<string>();
  const missing: string[] = [];
  for (const oid of oids) {
    out.add(oid);
    if (!isDirOid(oid)) continue;
    if (!(await store.has(oid))) {
      missing.push(oid);
      continue;
    }
    for (const e of parseManifest(await store.readText(oid))) out.add(e.md5);
  }
  return { oids: [...out], missing };
}

export function parseManifest(text: string): Array<{ md5: string; relpath: string }> {
  const raw: unknown = JSON.parse(text);
  if (!Array.isArray(raw)) throw new Error('a .dir manifest must be a JSON list');
  return raw.map((e: unknown) => {
    if (
      typeof e !== 'object' ||
      e === null ||
      !('md5' in e) ||
      !('relpath' in e) ||
      typeof e.md5 !== 'string' ||
      typeof e.relpath !== 'string'
    ) {
      throw new Error('a .dir manifest entry must have "md5" and "relpath" strings');
    }
    return { md5: e.md5, relpath: e.relpath };
  });
}

/** Pushes objects from the cache to a remote, `.dir` manifests last so a reader never sees a partial directory. */
export async function push(
  cache: LocalStore,
  remote: ObjectStore,
  oids: string[],
  concurrency = 8,
): Promise<TransferResult> {
  const expanded = await expandOids(cache, oids);
  const ordered = [...expanded.oids.filter((o) => !isDirOid(o)), ...expanded.oids.filter(isDirOid)];
  const res: TransferResult = { transferred: [], skipped: [], missing: [...expanded.missing] };
  const run = async (batch: string[]): Promise<void> => {
    await mapLimit(batch, concurrency, async (oid) => {
      if (await remote.has(oid)) res.skipped.push(oid);
      else if (!(await cache.has(oid))) res.missing.push(oid);
      else {
        await remote.upload(oid, cache.pathOf(oid));
        res.transferred.push(oid);
      }
    });
  };
  await run(ordered.filter((o) => !isDirOid(o)));
  await run(ordered.filter(isDirOid));
  return res;
}

/** Fetches objects from a remote into the cache; manifests first, then the files they list. */
export async function fetch(
  remote: ObjectStore,
  cache: LocalStore,
  oids: string[],
  concurrency = 8,
): Promise<TransferResult> {
  const res: TransferResult = { transferred: [], skipped: [], missing: [] };
  const one = async (oid: string): Promise<void> => {
    if (await cache.has(oid)) res.skipped.push(oid);
    else if (!(await remote.has(oid))) res.missing.push(oid);
    else {
      await remote.download(oid, cache.pathOf(oid));
      res.transferred.push(oid);
    }
  };
  await mapLimit(oids.filter(isDirOid), concurrency, one);
  const expanded = await expandOids(cache, oids);
  await mapLimit(
    expanded.oids.filter((o) => !isDirOid(o)),
    concurrency,
    one,
  );
  return res;
}
