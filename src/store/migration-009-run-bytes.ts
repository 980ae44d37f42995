import { type Kysely, sql } from 'kysely';

/**
 * '009-run-bytes': bytes that must outlive the server that received them — run logs (one row per
 * chunk, the primary key making each seq unique), uploads in parts, and pushed result and
 * checkpoint refs as git bundles — so any server of a cluster serves them.
 */
export async function runBytes(db: Kysely<unknown>): Promise<void> {
  // bytea on PostgreSQL; SQLite stores a blob whatever the declared type.
  const bytes = sql`bytea`;
  await db.schema
    .createTable('run_logs')
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_logs_pk', ['experiment_id', 'seq'])
    .execute();
  await db.schema
    .createTable('stored_files')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('stored_files_pk', ['key', 'part'])
    .execute();
  await db.schema
    .createTable('git_refs')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('bundle', bytes, (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('git_refs_pk', ['project', 'ref'])
    .execute();
}
