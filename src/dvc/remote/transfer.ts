import { mapLimit } from '../hash.js';
import type { LocalStore } from './local-store.js';
import type { ObjectStore, OnBytes } from './object-store.js';

/** How far a push or fetch has got: done counts only grow, totals stay fixed, the last report has done = total. */
export interface TransferProgress {
  objectsDone: number;
  objectsTotal: number;
  bytesDone: number;
  /** undefined when a size is not known up front: progress then counts objects (and bytes done) */
  bytesTotal: number | undefined;
}

export interface TransferOptions {
  /** objects in flight at once; default 8 */
  concurrency?: number;
  /**
   * Called with the totals once they are known, then as bytes stream and as each object is
   * transferred, found at the destination already or found missing. Not throttled: a renderer
   * throttles.
   */
  onProgress?: (p: TransferProgress) => void;
}

export interface FetchOptions extends TransferOptions {
  /**
   * Sizes of the requested oids as dvc.lock and .dvc files record them: a file's bytes, or for a
   * `.dir` oid the bytes of the files it lists (each listed file counted, as DVC counts them).
   * With a size for every requested oid, progress has a byte total; a DVC `.dir` manifest holds
   * no sizes, and the remote's sizes are only known object by object.
   */
  sizes?: ReadonlyMap<string, number>;
}

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
    if (!/^[0-9a-f]{32}$/.test(e.md5))
      throw new Error('a .dir manifest entry\'s "md5" must be 32 hex digits');
    return { md5: e.md5, relpath: e.relpath };
  });
}

/** Progress of one object: its bytes as they stream (undefined when nobody listens), then its end. */
interface ObjectProgress {
  onBytes: OnBytes | undefined;
  /** done (sent, found or missing): counts the bytes of `size` that onBytes did not */
  done(size: number | undefined): void;
}

/**
 * Counts objects and bytes done, reporting the totals first; `object(times)` follows one object,
 * its bytes counted `times` over (a pull counts a file once per place it is tracked in).
 */
function tally(
  objectsTotal: number,
  bytesTotal: number | undefined,
  objectsDone: number,
  onProgress: TransferOptions['onProgress'],
): { object(times?: number): ObjectProgress } {
  let bytesDone = 0;
  const report = (): void => onProgress?.({ objectsDone, objectsTotal, bytesDone, bytesTotal });
  report();
  return {
    object(times = 1) {
      let counted = 0;
      return {
        onBytes:
          onProgress &&
          ((n) => {
            counted += n;
            bytesDone += n * times;
            report();
          }),
        done(size) {
          objectsDone++;
          bytesDone += Math.max(0, (size ?? 0) - counted) * times;
          report();
        },
      };
    },
  };
}

/** Pushes objects from the cache to a remote, `.dir` manifests last so a reader never sees a partial directory. */
export async function push(
  cache: LocalStore,
  remote: ObjectStore,
  oids: string[],
  opts: TransferOptions = {},
): Promise<TransferResult> {
  const concurrency = opts.concurrency ?? 8;
  const expanded = await expandOids(cache, oids);
  const sizes = new Map<string, number>();
  await mapLimit(expanded.oids, concurrency, async (oid) => {
    const size = await cache.size(oid);
    if (size !== undefined) sizes.set(oid, size);
  });
  let bytesTotal = 0;
  for (const size of sizes.values()) bytesTotal += size;
  const progress = tally(expanded.oids.length, bytesTotal, 0, opts.onProgress);
  const res: TransferResult = { transferred: [], skipped: [], missing: [...expanded.missing] };
  const run = async (batch: string[]): Promise<void> => {
    await mapLimit(batch, concurrency, async (oid) => {
      const one = progress.object();
      if (await remote.has(oid)) res.skipped.push(oid);
      else if (!(await cache.has(oid))) res.missing.push(oid);
      else {
        await remote.upload(oid, cache.pathOf(oid), one.onBytes);
        res.transferred.push(oid);
      }
      one.done(sizes.get(oid));
    });
  };
  await run(expanded.oids.filter((o) => !isDirOid(o)));
  await run(expanded.oids.filter(isDirOid));
  return res;
}

/**
 * Fetches objects from a remote into the cache; manifests first, then the files they list.
 * Progress bytes count each object once per file that lists it, so they add up to the recorded
 * sizes in `opts.sizes`; a manifest itself counts as an object of no bytes.
 */
export async function fetch(
  remote: ObjectStore,
  cache: LocalStore,
  oids: string[],
  opts: FetchOptions = {},
): Promise<TransferResult> {
  const concurrency = opts.concurrency ?? 8;
  const wanted = [...new Set(oids)];
  const res: TransferResult = { transferred: [], skipped: [], missing: [] };
  /** the object's size, where it is checked for anyway (a stat of the cache, a HEAD of the remote) */
  const one = async (oid: string, onBytes?: OnBytes): Promise<number | undefined> => {
    const cached = await cache.size(oid);
    if (cached !== undefined) {
      res.skipped.push(oid);
      return cached;
    }
    const size = await remote.size(oid);
    if (size === undefined) res.missing.push(oid);
    else {
      await remote.download(oid, cache.pathOf(oid), onBytes);
      res.transferred.push(oid);
    }
    return size;
  };
  const dirs = wanted.filter(isDirOid);
  await mapLimit(dirs, concurrency, (oid) => one(oid));
  /** how many tracked files each file object stands for */
  const refs = new Map<string, number>();
  const count = (oid: string): void => {
    refs.set(oid, (refs.get(oid) ?? 0) + 1);
  };
  for (const oid of wanted) {
    if (!isDirOid(oid)) count(oid);
    else if (await cache.has(oid)) for (const e of parseManifest(await cache.readText(oid))) count(e.md5);
  }
  let bytesTotal: number | undefined = 0;
  for (const oid of wanted) {
    const size = opts.sizes?.get(oid);
    bytesTotal = size === undefined || bytesTotal === undefined ? undefined : bytesTotal + size;
  }
  const progress = tally(dirs.length + refs.size, bytesTotal, dirs.length, opts.onProgress);
  await mapLimit([...refs.keys()], concurrency, async (oid) => {
    const obj = progress.object(refs.get(oid));
    obj.done(await one(oid, obj.onBytes));
  });
  return res;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** `n` (and `of`, when given) in the unit that suits the larger: "1.2/3.4 GB", "512 B". */
function bytesPair(n: number, of?: number): string {
  let i = 0;
  for (let v = Math.max(n, of ?? 0); v >= 1024 && i < UNITS.length - 1; v /= 1024) i++;
  const fmt = (x: number): string => (i === 0 ? String(x) : (x / 1024 ** i).toFixed(1));
  return `${fmt(n)}${of === undefined ? '' : `/${fmt(of)}`} ${UNITS[i] ?? 'TB'}`;
}

/** "12/40 objects · 1.2/3.4 GB" (or "· 1.2 GB" done when the total bytes are unknown). */
export function describeTransfer(p: TransferProgress): string {
  return `${p.objectsDone}/${p.objectsTotal} objects · ${bytesPair(p.bytesDone, p.bytesTotal)}`;
}
