import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hashDir, mapLimit, type FileHash } from './hash.js';
import type { HashState } from './hash-state.js';
import type { LocalStore } from './remote/local-store.js';
import { parseManifest } from './remote/transfer.js';

/** The hash fields DVC records for a path: `md5` (with `.dir` for directories), size, nfiles. */
export interface PathHash {
  md5: string;
  size: number;
  nfiles?: number;
}

export async function pathKind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const st = await lstat(path);
    return st.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

export async function hashPath(path: string, state: HashState): Promise<PathHash | undefined> {
  const kind = await pathKind(path);
  if (kind === 'missing') return undefined;
  if (kind === 'file') return state.hashFile(path);
  const d = await hashDir(path, { known: (rel) => state.hashFile(join(path, rel)) });
  return { md5: d.md5, size: d.size, nfiles: d.nfiles };
}

/** Saves a workspace file or directory into the cache and returns its hash. */
export async function addToCache(
  cache: LocalStore,
  path: string,
  state: HashState,
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
  const d = await hashDir(path, { known: (rel) => state.hashFile(join(path, rel)) });
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

/** Writes a cached file or directory into the workspace, replacing what is there. */
export async function checkout(cache: LocalStore, oid: string, path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
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
