import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { hashFile, type FileHash } from './hash.js';

const StateFile = z.record(
  z.string(),
  z.object({ mtimeMs: z.number(), size: z.number(), ino: z.number(), md5: z.string() }),
);
type StateFile = z.infer<typeof StateFile>;

/**
 * Remembers file hashes by path, mtime, size and inode (as DVC's state database does), so an
 * up-to-date pipeline is checked without reading its data again.
 */
export class HashState {
  private dirty = false;
  private constructor(
    private readonly file: string,
    private readonly entries: StateFile,
  ) {}

  static async open(file: string): Promise<HashState> {
    try {
      const parsed = StateFile.safeParse(JSON.parse(await readFile(file, 'utf8')));
      return new HashState(file, parsed.success ? parsed.data : {});
    } catch {
      return new HashState(file, {});
    }
  }

  async hashFile(path: string): Promise<FileHash> {
    const st = await stat(path);
    const cur = this.entries[path];
    if (cur !== undefined && cur.mtimeMs === st.mtimeMs && cur.size === st.size && cur.ino === st.ino) {
      return { md5: cur.md5, size: cur.size };
    }
    const h = await hashFile(path);
    // a file modified while being hashed must not be remembered with the new mtime
    const after = await stat(path);
    if (after.mtimeMs === st.mtimeMs && after.size === st.size) {
      this.entries[path] = { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino, md5: h.md5 };
      this.dirty = true;
    }
    return h;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.entries));
    await rename(tmp, this.file);
    this.dirty = false;
  }
}
