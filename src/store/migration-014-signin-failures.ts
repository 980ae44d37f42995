import type { Kysely, Migration } from 'kysely';

/**
 * Failed sign-ins per account and address, kept in the Store so every server sharing it counts
 * the same failures (the limiter was one process's memory). Rows older than the window go.
 */
export const signInFailuresMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('signin_failures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('signin_failures_key_at')
      .on('signin_failures')
      .columns(['key', 'at'])
      .execute();
  },
};
