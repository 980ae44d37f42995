import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';

const DEFAULT_LIMIT = 1024 * 1024 * 1024;
/** Parts of an upload kept in the shared store. */
const PART = 4 * 1024 * 1024;
const ID = /^[a-z0-9-]{8,64}$/;

/**
 * Uploaded replacement files, streamed to `<home>/uploads/<project>/<id>` under a size limit.
 * On PostgreSQL the upload is also kept in the Store (`stored_files`, 4 MiB parts) before its id
 * is answered, so a run queued through one server and started by another finds it: a server
 * without the file fetches it to its own data dir first. On SQLite (one server) the data dir
 * alone is enough, and the database stays small.
 */
export class UploadStore {
  constructor(
    private readonly dir: string,
    private readonly store?: Store,
  ) {}

  private get shared(): boolean {
    return this.store?.dialect === 'postgres';
  }

  private key(project: string, id: string): string {
    return `uploads/${project}/${id}`;
  }

  /** Where the upload is on this server's disk (see `fetch`). */
  file(project: string, id: string): string {
    return path.join(this.dir, project, id);
  }

  /** Whether the upload exists, on this server or in the shared store. */
  async exists(project: string, id: string): Promise<boolean> {
    if (!ID.test(id)) return false;
    if (existsSync(this.file(project, id))) return true;
    return this.shared && (await this.store?.files.exists(this.key(project, id))) === true;
  }

  /** The upload on this server's disk, fetched from the shared store when another server took it; null if none. */
  async fetch(project: string, id: string): Promise<string | null> {
    if (!ID.test(id)) return null;
    const file = this.file(project, id);
    if (existsSync(file)) return file;
    const parts = this.shared ? await this.store?.files.get(this.key(project, id)) : null;
    if (!parts) return null;
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomUUID()}.part`;
    try {
      await pipeline(Readable.from(parts), createWriteStream(temp));
      await rename(temp, file);
    } finally {
      await rm(temp, { force: true });
    }
    return file;
  }

  /** Removes a deleted project's uploads. */
  async removeProject(project: string): Promise<void> {
    await rm(path.join(this.dir, project), { recursive: true, force: true });
    if (this.shared) await this.store?.files.removePrefix(`uploads/${project}/`);
  }

  async save(
    project: string,
    body: Readable,
    limit = DEFAULT_LIMIT,
  ): Promise<{ uploadId: string; size: number }> {
    const uploadId = randomUUID();
    const file = this.file(project, uploadId);
    await mkdir(path.dirname(file), { recursive: true });
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit)
          done(new ApiFailure('payload_too_large', `the upload is larger than the limit of ${limit} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(file));
    } catch (err) {
      await rm(file, { force: true });
      if (err instanceof ApiFailure) throw err;
      throw new ApiFailure(
        'bad_request',
        `the upload did not complete: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (this.shared)
      await this.store?.files.put(
        this.key(project, uploadId),
        createReadStream(file, { highWaterMark: PART }),
      );
    return { uploadId, size };
  }
}
