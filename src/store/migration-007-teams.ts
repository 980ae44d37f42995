import { type Kysely, type Migration, sql } from 'kysely';

/** The id of the team every project of a single-admin install moves into on upgrade. */
export const DEFAULT_TEAM_ID = 'default';

/**
 * People, teams and access: teams own projects, roles per team (overridable per project),
 * invites, sign-in identities (SSO), device logins, token scopes/expiry and the audit trail.
 * An existing single-admin install upgrades in place: its users join a `default` team (the
 * admin as owner) that holds every existing project.
 */
export const teamsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('email', 'text').execute();
    await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();
    await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();

    await db.schema
      .createTable('teams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      // 1 for a person's own space (a team of one).
      .addColumn('personal', 'integer', (c) => c.notNull().defaultTo(0))
      // Monthly spending cap in US dollars; null = no cap.
      .addColumn('monthly_cap_usd', 'real')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('team_members')
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // viewer | member | maintainer | owner
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
      .execute();
    await db.schema.createIndex('team_members_user').on('team_members').column('user_id').execute();

    await db.schema.alterTable('projects').addColumn('team_id', 'text').execute();
    await db.schema
      .createTable('project_members')
      .addColumn('project', 'text', (c) => c.notNull().references('projects.name').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // Overrides the person's team role for this project: viewer | member | maintainer | owner
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_members_pk', ['project', 'user_id'])
      .execute();
    await db.schema.createIndex('project_members_user').on('project_members').column('user_id').execute();

    // Personal tokens: scope read | run | live | admin (existing rows keep their scope until the
    // code that reads them converts it), an optional project list and an expiry.
    await db.schema.alterTable('tokens').addColumn('projects_json', 'text').execute();
    await db.schema.alterTable('tokens').addColumn('expires_at', 'text').execute();

    await db.schema
      .createTable('invites')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('accepted_at', 'text')
      .addColumn('accepted_by', 'text')
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('identities')
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('email', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_login_at', 'text')
      .addPrimaryKeyConstraint('identities_pk', ['provider', 'subject'])
      .execute();
    await db.schema
      .createTable('sso_providers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // oidc | github | gitlab
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      // issuer/base URL, client id, allowed e-mail domains, allowed groups and their claim
      .addColumn('config_json', 'text', (c) => c.notNull())
      // the client secret, encrypted like other credentials
      .addColumn('secret_enc', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('device_codes')
      .addColumn('device_code_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_code', 'text', (c) => c.notNull().unique())
      .addColumn('client_name', 'text', (c) => c.notNull())
      .addColumn('token_name', 'text', (c) => c.notNull())
      .addColumn('scopes_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('approved_by', 'text')
      .addColumn('approved_at', 'text')
      .addColumn('denied_at', 'text')
      .addColumn('consumed_at', 'text')
      .addColumn('last_poll_at', 'text')
      .execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor_name', 'text')
      // session | token | agent | anonymous | system
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('project', 'text')
      .addColumn('target', 'text')
      // ok | denied | failed
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail_json', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();
    await db.schema
      .createIndex('audit_events_project')
      .on('audit_events')
      .columns(['project', 'at'])
      .execute();

    // Upgrade in place: one default team that holds every existing project; its users join it,
    // the admin as owner.
    const now = new Date().toISOString();
    await sql`insert into teams (id, name, personal, monthly_cap_usd, created_at)
              values (${DEFAULT_TEAM_ID}, ${DEFAULT_TEAM_ID}, 0, null, ${now})`.execute(db);
    await sql`insert into team_members (team_id, user_id, role, created_at)
              select ${DEFAULT_TEAM_ID}, id, case when role = 'admin' then 'owner' else 'member' end, ${now}
              from users`.execute(db);
    await sql`update projects set team_id = ${DEFAULT_TEAM_ID} where team_id is null`.execute(db);
  },
};
