import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { objectKey, ObjectVerifyError, type ObjectStore, type OnBytes } from './object-store.js';

/** A directory in DVC's layout: the project cache (.dvc/cache) or a local-directory remote. */
export class LocalStore implements ObjectStore {
  readonly id: string;

  constructor(
    readonly root: string,
    readonly label: string = root,
  ) {
    this.id = `local:${resolve(root)}`;
  }

  pathOf(oid: string): string {
    return join(this.root, objectKey(oid));
  }

  async has(oid: string): Promise<boolean> {
    const at = this.pathOf(oid);
    try {
      return (await stat(at)).isFile();
    } catch {
      return false;
    }
  }

  async size(oid: string): Promise<number | undefined> {
    const at = this.pathOf(oid);
    try {
      const st = await stat(at);
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  }

  download(oid: string, dest: string, onBytes?: OnBytes): Promise<void> {
    return copyVerified(this.pathOf(oid), dest, oid, this.label, onBytes);
  }

  async upload(oid: string, src: string, onBytes?: OnBytes): Promise<void> {
    const dest = this.pathOf(oid);
    await copyVerified(src, dest, oid, this.label, onBytes);
    // DVC keeps cache objects read-only so a hardlinked or copied workspace file cannot corrupt them
    await chmod(dest, 0o444);
  }

  readText(oid: string): Promise<string> {
    return readFile(this.pathOf(oid), 'utf8');
  }
}

/** Copies `src` to `dest` through md5, renaming into place only when the hash matches `oid`. */
export function copyVerified(
  src: string,
  dest: string,
  oid: string,
  label: string,
  onBytes?: OnBytes,
): Promise<void> {
  return writeVerified(createReadStream(src, { highWaterMark: 1 << 20 }), dest, oid, label, onBytes);
}

/** Streams `source` to `dest` through md5, renaming into place only when the hash matches `oid`. */
export async function writeVerified(
  source: Readable,
  dest: string,
  oid: string,
  label: string,
  onBytes?: OnBytes,
): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.${randomBytes(6).toString('hex')}.tmp`;
  const h = createHash('md5');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(source, tap, createWriteStream(tmp));
    const actual = h.digest('hex');
    if (actual !== oid.replace(/\.dir$/, '')) throw new ObjectVerifyError(oid, actual, label);
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
