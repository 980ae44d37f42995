import { signInFailuresMigration } from './migration-014-signin-failures.js';
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { runOwnersMigration } from './migration-011-run-owners.js';
import { teamsMigration } from './migration-007-teams.js';
import { storeTables } from './migration-008-store-tables.js';
import { runBytes } from './migration-009-run-bytes.js';
import { clusterMigration } from './migration-010-cluster.js';
import { launchAttemptsMigration } from './migration-015-launch-attempts.js';
import { profileTeamsMigration } from './migration-013-profile-teams.js';

/** Migrations in order; each written once and never edited after it lands. */
const migrations: Record<string, Migration> = {
  '001-foundation': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('login_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('projects')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('subdir', 'text')
        .addColumn('credentials_enc', 'text')
        .addColumn('settings_json', 'text', (c) => c.notNull())
        .addColumn('fetch_state', 'text', (c) => c.notNull())
        .addColumn('fetch_at', 'text')
        .addColumn('fetch_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('blob_cache')
        .addColumn('oid', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('json', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('blob_cache_pk', ['oid', 'kind'])
        .execute();
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '002-experiments': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('experiments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project', 'text', (c) => c.notNull().references('projects.name').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('baseline', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('change_set_json', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('timeout_sec', 'integer', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('queue_order', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('timeline_json', 'text', (c) => c.notNull())
        .addColumn('exit_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('result_commit', 'text')
        .addColumn('sweep_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addUniqueConstraint('experiments_project_name', ['project', 'name'])
        .execute();
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('experiment_id', 'text', (c) =>
          c.notNull().references('experiments.id').onDelete('cascade'),
        )
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text')
        .addColumn('lease_until', 'text')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull())
        .addColumn('run_token_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_state').on('jobs').column('state').execute();
    },
  },
  '003-live': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('live_experiments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project', 'text', (c) => c.notNull().references('projects.name').onDelete('cascade'))
        .addColumn('baseline', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kiln_experiment_id', 'text')
        .addColumn('summary_json', 'text', (c) => c.notNull())
        .addColumn('pushed', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('live_experiments_identity', ['project', 'baseline', 'name'])
        .execute();
      await db.schema
        .createTable('live_points')
        .addColumn('experiment_id', 'text', (c) =>
          c.notNull().references('live_experiments.id').onDelete('cascade'),
        )
        .addColumn('plot', 'text', (c) => c.notNull())
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('row_json', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('live_points_pk', ['experiment_id', 'plot', 'step'])
        .execute();
      await db.schema
        .createTable('live_images')
        .addColumn('experiment_id', 'text', (c) =>
          c.notNull().references('live_experiments.id').onDelete('cascade'),
        )
        .addColumn('plot', 'text', (c) => c.notNull())
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('base64', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('live_images_pk', ['experiment_id', 'plot'])
        .execute();
    },
  },
  '004-compute': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('compute_credentials')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('compute_profiles')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('settings_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('compute_instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('native_id', 'text')
        .addColumn('zone', 'text')
        .addColumn('experiment_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('detail_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .execute();
      await db.schema
        .createIndex('compute_instances_state')
        .on('compute_instances')
        .column('state')
        .execute();
    },
  },
  '005-ci-commits': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ci_commits')
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('pr_url', 'text')
        .addColumn('pr_number', 'integer')
        .addColumn('cml_url', 'text')
        .addColumn('checked_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ci_commits_pk', ['project', 'sha'])
        .execute();
    },
  },
  '006-queue-indexes': {
    // The scheduler's claim walks one target's queued experiments in dispatch order and stops at
    // the first whose job is free; the per-target and per-project counts read an index alone.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('experiments_queue')
        .on('experiments')
        .columns(['target', 'status', 'priority desc', 'queue_order'])
        .execute();
      await db.schema
        .createIndex('experiments_project_status')
        .on('experiments')
        .columns(['project', 'status'])
        .execute();
      await db.schema.createIndex('jobs_experiment').on('jobs').column('experiment_id').execute();
    },
  },
  // Later migrations live in files of their own (migration-NNN-*.ts), so parallel work adds lines here only.
  '007-teams': teamsMigration,
  '008-store-tables': { up: storeTables },
  '009-run-bytes': { up: runBytes },
  '010-cluster': clusterMigration,
  '011-run-owners': runOwnersMigration,
  '013-profile-teams': profileTeamsMigration,
  '014-signin-failures': signInFailuresMigration,
  '015-launch-attempts': launchAttemptsMigration,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Migrates up to and including `name` (tests of an upgrade from an older schema). */
export async function migrateTo(db: Kysely<unknown>, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw new Error(`database migration to ${name} failed: ${String(error)}`);
}

export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<void> {
  // Parallel work lands numbered migrations out of order (010 before 008): a database that ran a
  // later one still runs an earlier one it lacks. Each migration touches its own tables only.
  const migrator = new Migrator({
    db,
    provider,
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
