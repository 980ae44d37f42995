import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ApiFailure } from '../api-error.js';

const DEFAULT_LIMIT = 1024 * 1024 * 1024;

/** Uploaded replacement files, streamed to `<home>/uploads/<project>/<id>` under a size limit. */
export class UploadStore {
  constructor(private readonly dir: string) {}

  file(project: string, id: string): string {
    return path.join(this.dir, project, id);
  }

  /** Removes a deleted project's uploads. */
  async removeProject(project: string): Promise<void> {
    await rm(path.join(this.dir, project), { recursive: true, force: true });
  }

  exists(project: string, id: string): boolean {
    return /^[a-z0-9-]{8,64}$/.test(id) && existsSync(this.file(project, id));
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
    return { uploadId, size };
  }
}
