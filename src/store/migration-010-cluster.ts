import type { Kysely, Migration } from 'kysely';

/**
 * Several servers on one PostgreSQL: an event too big for a NOTIFY payload (8000 bytes) is kept
 * here, and the notification carries its id only; the receiving servers read the row. Rows are
 * dropped a few minutes later (a server away longer has missed the event anyway).
 */
export const clusterMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('cluster_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cluster_events_at').on('cluster_events').column('at').execute();
  },
};
