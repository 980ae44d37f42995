import type { Kysely, Migration } from 'kysely';

/**
 * Failed machine launches per compute target: how many so far, since when, when the next one
 * is due and why the last one failed. Every server of a cluster reads the same record, so the
 * backoff and the give-up limit hold whichever server launches.
 */
export const launchAttemptsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('launch_attempts')
      .addColumn('target', 'text', (c) => c.primaryKey())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('first_at', 'text', (c) => c.notNull())
      .addColumn('next_at', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text', (c) => c.notNull())
      .execute();
  },
};
