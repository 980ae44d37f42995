import type { Kysely, Migration } from 'kysely';

/**
 * Which teams may run on a compute profile. A profile with no rows here is open to every team
 * (as every profile was before); naming teams closes it to the others.
 */
export const profileTeamsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('profile_teams')
      .addColumn('profile', 'text', (c) =>
        c.notNull().references('compute_profiles.name').onDelete('cascade'),
      )
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('profile_teams_pk', ['profile', 'team_id'])
      .execute();
  },
};
