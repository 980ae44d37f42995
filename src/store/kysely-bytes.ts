import type { Kysely } from 'kysely';
import type { LogChunk } from '../contracts/experiments.js';
import type { FileStore, GitRefStore, RunLogStore, StoredRefRecord } from './bytes-port.js';
import type { Database } from './schema.js';

const now = () => new Date().toISOString();
const asChunk = (r: { seq: number | string; stream: string; text: string }): LogChunk => ({
  seq: Number(r.seq),
  stream: r.stream as LogChunk['stream'],
  text: r.text,
});

/** Run logs in the database: the sequence is checked against the stored rows, never in memory. */
export class KyselyRunLogStore implements RunLogStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(
    experimentId: string,
    chunks: readonly LogChunk[],
  ): Promise<{ stored: LogChunk[]; lastSeq: number }> {
    return this.db.transaction().execute(async (tx) => {
      const last = await lastSeqOf(tx, experimentId);
      const fresh: LogChunk[] = [];
      let seq = last;
      for (const c of [...chunks].sort((a, b) => a.seq - b.seq)) {
        if (c.seq <= seq) continue;
        if (c.seq !== seq + 1) break;
        fresh.push(c);
        seq = c.seq;
      }
      if (fresh.length === 0) return { stored: [], lastSeq: last };
      // Each new chunk follows a stored one (`last` is committed), so no gap can be written; two
      // servers writing the same seq meet at the primary key, and the second one writes nothing.
      const inserted = await tx
        .insertInto('run_logs')
        .values(
          fresh.map((c) => ({ experiment_id: experimentId, seq: c.seq, stream: c.stream, text: c.text })),
        )
        .onConflict((oc) => oc.columns(['experiment_id', 'seq']).doNothing())
        .returning('seq')
        .execute();
      const mine = new Set(inserted.map((r) => Number(r.seq)));
      const stored = fresh.filter((c) => mine.has(c.seq));
      return { stored, lastSeq: mine.size === fresh.length ? seq : await lastSeqOf(tx, experimentId) };
    });
  }

  async read(experimentId: string, after: number, limit: number): Promise<LogChunk[]> {
    const rows = await this.db
      .selectFrom('run_logs')
      .select(['seq', 'stream', 'text'])
      .where('experiment_id', '=', experimentId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(asChunk);
  }

  lastSeq(experimentId: string): Promise<number> {
    return lastSeqOf(this.db, experimentId);
  }

  async has(experimentId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('run_logs')
      .select('seq')
      .where('experiment_id', '=', experimentId)
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  }
}

async function lastSeqOf(db: Kysely<Database>, experimentId: string): Promise<number> {
  const r = await db
    .selectFrom('run_logs')
    .select((eb) => eb.fn.max('seq').as('last'))
    .where('experiment_id', '=', experimentId)
    .executeTakeFirst();
  return Number(r?.last ?? 0);
}

/** Files in parts, one row each. */
export class KyselyFileStore implements FileStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(key: string, parts: AsyncIterable<Uint8Array>): Promise<number> {
    // Parts go in one by one, under a fresh name, then take the key in one transaction: a
    // reader never sees half a file, and a crash leaves only an orphan the next put sweeps.
    const temp = `${key}.part-${crypto.randomUUID()}`;
    let n = 0;
    let size = 0;
    try {
      for await (const p of parts) {
        await this.db
          .insertInto('stored_files')
          .values({ key: temp, part: n++, data: Buffer.from(p) })
          .execute();
        size += p.length;
      }
    } catch (err) {
      await this.db.deleteFrom('stored_files').where('key', '=', temp).execute();
      throw err;
    }
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('stored_files').where('key', '=', key).execute();
      await tx.updateTable('stored_files').set({ key }).where('key', '=', temp).execute();
    });
    return size;
  }

  async get(key: string): Promise<AsyncIterable<Uint8Array> | null> {
    if (!(await this.exists(key))) return null;
    const db = this.db;
    return (async function* () {
      for (let part = 0; ; part++) {
        const r = await db
          .selectFrom('stored_files')
          .select('data')
          .where('key', '=', key)
          .where('part', '=', part)
          .executeTakeFirst();
        if (!r) return;
        yield r.data;
      }
    })();
  }

  async exists(key: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('stored_files')
      .select('part')
      .where('key', '=', key)
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  }

  async removePrefix(prefix: string): Promise<void> {
    const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    await this.db
      .deleteFrom('stored_files')
      .where((eb) => eb('key', 'like', eb.val(`${escaped}%`)))
      .execute();
  }
}

/** Pushed result and checkpoint refs with their bundles. */
export class KyselyGitRefStore implements GitRefStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(r: Omit<StoredRefRecord, 'updatedAt'>): Promise<void> {
    const row = { sha: r.sha, bundle: Buffer.from(r.bundle), updated_at: now() };
    await this.db
      .insertInto('git_refs')
      .values({ project: r.project, ref: r.ref, ...row })
      .onConflict((oc) => oc.columns(['project', 'ref']).doUpdateSet(row))
      .execute();
  }

  async list(project: string): Promise<StoredRefRecord[]> {
    const rows = await this.db
      .selectFrom('git_refs')
      .selectAll()
      .where('project', '=', project)
      .orderBy('updated_at')
      .execute();
    return rows.map((r) => ({
      project: r.project,
      ref: r.ref,
      sha: r.sha,
      bundle: r.bundle,
      updatedAt: r.updated_at,
    }));
  }

  async removeProject(project: string): Promise<void> {
    await this.db.deleteFrom('git_refs').where('project', '=', project).execute();
  }
}
