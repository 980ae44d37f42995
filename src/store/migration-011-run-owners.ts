import type { Kysely, Migration } from 'kysely';

/**
 * Who queued each run: a member may cancel only their own runs, a maintainer anyone's. Kept
 * beside the experiments table (not a column of it) so runs queued before teams have no owner
 * and only maintainers cancel them.
 */
export const runOwnersMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('run_owners')
      .addColumn('experiment_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
