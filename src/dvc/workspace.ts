import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hashDir, mapLimit, type FileHash, type IgnorePredicate } from './hash.js';
import type { HashState } from './hash-state.js';
import type { LocalStore } from './remote/local-store.js';
import { parseManifest } from './remote/transfer.js';

/** The hash fields DVC records for a path: `md5` (with `.dir` for directories), size, nfiles. */
export interface PathHash {
  md5: string;
  size: number;
  nfiles?: number;
}

/** The `.dvcignore` rules DVC applies inside a tracked directory (a project's: WorkTreeDvcIgnore). */
export interface DirIgnore {
  /**
   * What to leave out under the directory `dir` (absolute), as paths relative to it; undefined when
   * nothing is. `collect` when hashing or caching it: the predicate throws on a `.dvcignore` it would
   * collect, which DVC refuses.
   */
  under(dir: string, collect: boolean): Promise<IgnorePredicate | undefined>;
}

export async function pathKind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const st = await lstat(path);
    return st.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

async function hashTrackedDir(path: string, state: HashState, ignore: DirIgnore | undefined) {
  return hashDir(path, {
    known: (rel) => state.hashFile(join(path, rel)),
    ignore: await ignore?.under(path, true),
  });
}

/**
 * The hash DVC records for a workspace file or directory; a directory's leaves out what `ignore`
 * (the project's `.dvcignore`) does. Without `ignore`, every file of a directory counts.
 */
export async function hashPath(
  path: string,
  state: HashState,
  ignore?: DirIgnore,
): Promise<PathHash | undefined> {
  const kind = await pathKind(path);
  if (kind === 'missing') return undefined;
  if (kind === 'file') return state.hashFile(path);
  const d = await hashTrackedDir(path, state, ignore);
  return { md5: d.md5, size: d.size, nfiles: d.nfiles };
}

/** Saves a workspace file or directory (less what `ignore` leaves out) into the cache and returns its hash. */
export async function addToCache(
  cache: LocalStore,
  path: string,
  state: HashState,
  ignore?: DirIgnore,
): Promise<PathHash | undefined> {
  const kind = await pathKind(path);
  if (kind === 'missing') return undefined;
  const put = async (oid: string, src: string): Promise<void> => {
    if (!(await cache.has(oid))) await cache.upload(oid, src);
  };
  if (kind === 'file') {
    const h: FileHash = await state.hashFile(path);
    await put(h.md5, path);
    return h;
  }
  const d = await hashTrackedDir(path, state, ignore);
  await mapLimit(d.manifest, 8, (e) => put(e.md5, join(path, e.relpath)));
  if (!(await cache.has(d.md5))) {
    const tmp = join(cache.root, `manifest.${randomBytes(6).toString('hex')}.tmp`);
    await mkdir(cache.root, { recursive: true });
    await writeFile(tmp, d.manifestText);
    try {
      await cache.upload(d.md5, tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return { md5: d.md5, size: d.size, nfiles: d.nfiles };
}

/**
 * Removes what a tracked directory holds except what `ignore` leaves out, and the directories
 * left empty; the directory itself stays.
 */
async function clearTracked(dir: string, ignore: IgnorePredicate): Promise<void> {
  const walk = async (abs: string, rel: string): Promise<boolean> => {
    let empty = true;
    for (const e of await readdir(abs, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      const child = join(abs, e.name);
      if (ignore(r, e.isDirectory())) empty = false;
      else if (!e.isDirectory()) await rm(child, { force: true });
      else if (await walk(child, r)) await rmdir(child);
      else empty = false;
    }
    return empty;
  };
  await walk(dir, '');
}

/**
 * Writes a cached file or directory into the workspace, replacing what is there; in a directory,
 * what `ignore` (the project's `.dvcignore`) leaves out stays, as DVC keeps it.
 */
export async function checkout(
  cache: LocalStore,
  oid: string,
  path: string,
  ignore?: DirIgnore,
): Promise<void> {
  const keep =
    oid.endsWith('.dir') && (await pathKind(path)) === 'dir' ? await ignore?.under(path, false) : undefined;
  if (keep === undefined) await rm(path, { recursive: true, force: true });
  else await clearTracked(path, keep);
  if (!oid.endsWith('.dir')) {
    await mkdir(dirname(path), { recursive: true });
    await cache.download(oid, path);
    await chmod(path, 0o644);
    return;
  }
  const manifest = parseManifest(await cache.readText(oid));
  await mkdir(path, { recursive: true });
  await mapLimit(manifest, 8, async (e) => {
    if (e.relpath.split('/').includes('..'))
      throw new Error(`manifest ${oid} holds a path outside its directory: ${e.relpath}`);
    const dest = join(path, e.relpath);
    await mkdir(dirname(dest), { recursive: true });
    await cache.download(e.md5, dest);
    await chmod(dest, 0o644);
  });
}
