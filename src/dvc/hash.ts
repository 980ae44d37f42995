import { createHash, hash as oneShot } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** DVC 3 hashing: md5 of a file's bytes; a directory's md5 is that of its `.dir` manifest. */

export interface FileHash {
  md5: string;
  size: number;
}

export interface ManifestEntry {
  md5: string;
  relpath: string;
}

export interface DirHash {
  /** md5 of the manifest with the `.dir` suffix */
  md5: string;
  size: number;
  nfiles: number;
  manifest: ManifestEntry[];
  /** the manifest's bytes as DVC stores them in the cache under `md5` */
  manifestText: string;
}

const CHUNK = 1 << 20;

/** Streams a file through md5 in 1 MiB reads into one reused buffer. */
export async function hashFile(path: string): Promise<FileHash> {
  const fh = await open(path, 'r');
  try {
    const h = createHash('md5');
    const buf = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      h.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { md5: h.digest('hex'), size };
  } finally {
    await fh.close();
  }
}

const SMALL = 256 * 1024;
const smallBuf = Buffer.allocUnsafe(SMALL);

/**
 * Hashes a small file with synchronous reads into one shared buffer: for thousands of small files
 * the thread-pool round trips of async I/O cost more than the reads. Returns undefined when the
 * file is larger than the buffer, for the streamed path to take it.
 */
export function hashSmallFileSync(path: string): FileHash | undefined {
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    for (;;) {
      const r = readSync(fd, smallBuf, n, SMALL - n, null);
      if (r === 0) break;
      n += r;
      if (n === SMALL) return undefined;
    }
    // the one-shot hash skips a Hash object per file: measurable over thousands of small files
    return { md5: oneShot('md5', smallBuf.subarray(0, n)), size: n };
  } finally {
    closeSync(fd);
  }
}

export function md5Text(text: string | Buffer): string {
  return oneShot('md5', text);
}

/** Python's `json.dumps(manifest, sort_keys=True)`: ", " and ": " separators, ASCII only. */
export function manifestJson(entries: ManifestEntry[]): string {
  const esc = (s: string): string =>
    JSON.stringify(s).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return `[${entries.map((e) => `{"md5": ${esc(e.md5)}, "relpath": ${esc(e.relpath)}}`).join(', ')}]`;
}

/** Python's sorted() order for relpaths: by code point. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Leaves a path out of a directory walk: `relpath` is relative to the walked directory (POSIX
 * separators), `isDir` marks a directory, which is then not walked into.
 */
export type IgnorePredicate = (relpath: string, isDir: boolean) => boolean;

/** The files under `root` (relative paths, symlinks as files), less those `ignore` leaves out. */
export async function listFiles(root: string, ignore?: IgnorePredicate): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (ignore === undefined || !ignore(r, true)) await walk(join(dir, e.name), r);
      } else if ((e.isFile() || e.isSymbolicLink()) && (ignore === undefined || !ignore(r, false)))
        out.push(r);
    }
  };
  await walk(root, '');
  return out;
}

/** Runs `f` over items with at most `limit` in flight, keeping result order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  f: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) results[i] = await f(item, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface HashDirOpts {
  /** a hash already known for a file (from a state cache), to skip reading it */
  known?: (relpath: string) => Promise<FileHash | undefined>;
  concurrency?: number;
  /** files and directories to leave out of the manifest (as a `.dvcignore` does), never walked into */
  ignore?: IgnorePredicate;
}

export async function hashDir(root: string, opts: HashDirOpts = {}): Promise<DirHash> {
  const files = (await listFiles(root, opts.ignore)).sort(byCodePoint);
  const hashOne = async (rel: string): Promise<FileHash> =>
    hashSmallFileSync(join(root, rel)) ?? hashFile(join(root, rel));
  let hashes: FileHash[];
  if (opts.known === undefined) {
    hashes = [];
    for (const rel of files) {
      hashes.push(await hashOne(rel));
      // yield now and then so a large directory does not starve the event loop
      if (hashes.length % 512 === 0) await new Promise((r) => setImmediate(r));
    }
  } else {
    const known = opts.known;
    hashes = await mapLimit(files, opts.concurrency ?? 16, async (rel) => (await known(rel)) ?? hashOne(rel));
  }
  const manifest = files.map((relpath, i) => ({ md5: hashes[i]?.md5 ?? '', relpath }));
  const manifestText = manifestJson(manifest);
  return {
    md5: `${md5Text(manifestText)}.dir`,
    size: hashes.reduce((s, h) => s + h.size, 0),
    nfiles: files.length,
    manifest,
    manifestText,
  };
}
