import { KyselySignInFailureStore } from './kysely-signin.js';
import { sql, type Kysely, type Selectable } from 'kysely';
import { DEFAULT_TEAM_ID } from './migration-007-teams.js';
import type { Database, ProjectsTable, TokensTable } from './schema.js';
import type { ProjectRecord, Store, TokenRecord, UserRecord } from './port.js';
import { KyselyExperimentStore } from './kysely-experiments.js';
import { KyselyComputeStore } from './kysely-compute.js';
import { KyselyLiveStore } from './kysely-live.js';
import { KyselyCiStore } from './kysely-ci.js';
import { KyselyAuditStore } from './kysely-audit.js';
import { KyselyDeviceCodeStore } from './kysely-device-codes.js';
import { KyselyBudgetStore } from './kysely-budget.js';
import { KyselyIdentityStore } from './kysely-identity.js';
import { KyselyAgentStore } from './kysely-agents.js';
import { KyselyTeamsStore } from './kysely-teams.js';
import { KyselyFileStore, KyselyGitRefStore, KyselyRunLogStore } from './kysely-bytes.js';

const now = () => new Date().toISOString();

function toToken(r: Selectable<TokensTable>): TokenRecord {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scope: r.scope,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

function toProject(r: Selectable<ProjectsTable>): ProjectRecord {
  return {
    name: r.name,
    source: r.source,
    subdir: r.subdir,
    credentialsEnc: r.credentials_enc,
    settingsJson: r.settings_json,
    fetchState: r.fetch_state,
    fetchAt: r.fetch_at,
    fetchError: r.fetch_error,
    createdAt: r.created_at,
    teamId: r.team_id,
  };
}

/** The Store written once in Kysely; each database adapter supplies only its dialect. */
export class KyselyStore implements Store {
  readonly experiments: KyselyExperimentStore;
  readonly compute: KyselyComputeStore;
  readonly live: KyselyLiveStore;
  readonly ci: KyselyCiStore;
  readonly audit: KyselyAuditStore;
  readonly deviceCodes: KyselyDeviceCodeStore;
  readonly budget: KyselyBudgetStore;
  readonly signIns: KyselySignInFailureStore;
  readonly identity: KyselyIdentityStore;
  readonly agents: KyselyAgentStore;
  readonly teams: KyselyTeamsStore;
  readonly logs: KyselyRunLogStore;
  readonly files: KyselyFileStore;
  readonly gitRefs: KyselyGitRefStore;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
    /** runs after the database is closed (SQLite: its WAL checkpointer's last checkpoint) */
    private readonly afterClose: () => Promise<void> = async () => undefined,
  ) {
    this.experiments = new KyselyExperimentStore(db);
    this.compute = new KyselyComputeStore(db);
    this.live = new KyselyLiveStore(db);
    this.ci = new KyselyCiStore(db);
    this.audit = new KyselyAuditStore(db);
    this.deviceCodes = new KyselyDeviceCodeStore(db);
    this.budget = new KyselyBudgetStore(db);
    this.signIns = new KyselySignInFailureStore(db);
    this.identity = new KyselyIdentityStore(db);
    this.agents = new KyselyAgentStore(db);
    this.teams = new KyselyTeamsStore(db);
    this.logs = new KyselyRunLogStore(db);
    this.files = new KyselyFileStore(db);
    this.gitRefs = new KyselyGitRefStore(db);
  }

  async ensureAdmin(): Promise<{ user: UserRecord; created: boolean }> {
    const existing = await this.db
      .selectFrom('users')
      .selectAll()
      .where('name', '=', 'admin')
      .executeTakeFirst();
    if (existing)
      return { user: { id: existing.id, name: existing.name, role: existing.role }, created: false };
    const user: UserRecord = { id: crypto.randomUUID(), name: 'admin', role: 'admin' };
    const at = now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('users')
        .values({ ...user, created_at: at })
        .execute();
      // The first person owns the default team (created by migration 007), which holds the
      // projects added without naming a team.
      await tx
        .insertInto('team_members')
        .values({ team_id: DEFAULT_TEAM_ID, user_id: user.id, role: 'owner', created_at: at })
        .execute();
    });
    return { user, created: true };
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const r = await this.db
      .selectFrom('users')
      .select(['id', 'name', 'role'])
      .where('id', '=', id)
      .executeTakeFirst();
    return r ?? null;
  }

  async createLoginCode(codeHash: string, userId: string, expiresAt: string): Promise<void> {
    // Codes are made at each start: the moment to drop expired ones (used ones go when used).
    await this.db
      .deleteFrom('login_codes')
      .where((eb) => eb.or([eb('expires_at', '<=', now()), eb('used_at', 'is not', null)]))
      .execute();
    await this.db
      .insertInto('login_codes')
      .values({ code_hash: codeHash, user_id: userId, expires_at: expiresAt, used_at: null })
      .execute();
  }

  /** A code works once: it is deleted as it is used, so no used code stays in the database. */
  async consumeLoginCode(codeHash: string, at: string): Promise<UserRecord | null> {
    const res = await this.db
      .deleteFrom('login_codes')
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .returning('user_id')
      .executeTakeFirst();
    return res ? this.getUser(res.user_id) : null;
  }

  async createSession(idHash: string, userId: string, expiresAt: string): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id_hash: idHash, user_id: userId, created_at: now(), expires_at: expiresAt })
      .execute();
  }

  async findSession(idHash: string, at: string): Promise<UserRecord | null> {
    const r = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.name', 'users.role'])
      .where('sessions.id_hash', '=', idHash)
      .where('sessions.expires_at', '>', at)
      .executeTakeFirst();
    return r ?? null;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async createToken(t: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    scope: string;
  }): Promise<TokenRecord> {
    const row = {
      id: t.id,
      user_id: t.userId,
      name: t.name,
      token_hash: t.tokenHash,
      scope: t.scope,
      created_at: now(),
      last_used_at: null,
      revoked_at: null,
      projects_json: null,
      expires_at: null,
    };
    await this.db.insertInto('tokens').values(row).execute();
    return toToken(row);
  }

  async listTokens(userId: string): Promise<TokenRecord[]> {
    const rows = await this.db
      .selectFrom('tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('scope', '=', 'user')
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toToken);
  }

  async revokeToken(id: string, userId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('tokens')
      .set({ revoked_at: now() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteTokensByScope(scopes: readonly string[]): Promise<void> {
    for (let i = 0; i < scopes.length; i += 500)
      await this.db
        .deleteFrom('tokens')
        .where('scope', 'in', scopes.slice(i, i + 500))
        .execute();
  }

  async findToken(tokenHash: string): Promise<{ token: TokenRecord; user: UserRecord } | null> {
    const r = await this.db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .selectAll('tokens')
      .select(['users.name as user_name', 'users.role as user_role'])
      .where('tokens.token_hash', '=', tokenHash)
      .where('tokens.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!r) return null;
    await this.db.updateTable('tokens').set({ last_used_at: now() }).where('id', '=', r.id).execute();
    return { token: toToken(r), user: { id: r.user_id, name: r.user_name, role: r.user_role } };
  }

  async createProject(p: ProjectRecord): Promise<void> {
    await this.db
      .insertInto('projects')
      .values({
        name: p.name,
        source: p.source,
        subdir: p.subdir,
        credentials_enc: p.credentialsEnc,
        settings_json: p.settingsJson,
        team_id: p.teamId ?? DEFAULT_TEAM_ID,
        fetch_state: p.fetchState,
        fetch_at: p.fetchAt,
        fetch_error: p.fetchError,
        created_at: p.createdAt,
      })
      .execute();
  }

  async getProject(name: string): Promise<ProjectRecord | null> {
    const r = await this.db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? toProject(r) : null;
  }

  async listProjects(): Promise<ProjectRecord[]> {
    const rows = await this.db.selectFrom('projects').selectAll().orderBy('name').execute();
    return rows.map(toProject);
  }

  async updateProject(
    name: string,
    patch: Partial<Omit<ProjectRecord, 'name' | 'createdAt'>>,
  ): Promise<void> {
    const set: Partial<Selectable<ProjectsTable>> = {};
    if (patch.source !== undefined) set.source = patch.source;
    if (patch.subdir !== undefined) set.subdir = patch.subdir;
    if (patch.credentialsEnc !== undefined) set.credentials_enc = patch.credentialsEnc;
    if (patch.settingsJson !== undefined) set.settings_json = patch.settingsJson;
    if (patch.fetchState !== undefined) set.fetch_state = patch.fetchState;
    if (patch.fetchAt !== undefined) set.fetch_at = patch.fetchAt;
    if (patch.fetchError !== undefined) set.fetch_error = patch.fetchError;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('projects').set(set).where('name', '=', name).execute();
  }

  async deleteProject(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('projects').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async getBlobs(kind: string, oids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < oids.length; i += 500) {
      const chunk = oids.slice(i, i + 500);
      const rows = await this.db
        .selectFrom('blob_cache')
        .select(['oid', 'json'])
        .where('kind', '=', kind)
        .where('oid', 'in', chunk)
        .execute();
      for (const r of rows) out.set(r.oid, r.json);
    }
    return out;
  }

  async putBlobs(kind: string, entries: ReadonlyArray<{ oid: string; json: string }>): Promise<void> {
    for (let i = 0; i < entries.length; i += 200) {
      const chunk = entries.slice(i, i + 200).map((e) => ({ oid: e.oid, kind, json: e.json }));
      if (chunk.length === 0) continue;
      await this.db
        .insertInto('blob_cache')
        .values(chunk)
        .onConflict((oc) => oc.columns(['oid', 'kind']).doNothing())
        .execute();
    }
  }

  async getSetting(key: string): Promise<string | null> {
    const r = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async claimSetting(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.getSetting(key)) ?? value;
  }

  async deleteSettings(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 500)
      await this.db
        .deleteFrom('settings')
        .where('key', 'in', keys.slice(i, i + 500))
        .execute();
  }

  private readonly local = new Map<string, Promise<unknown>>();

  async exclusive<T>(key: string, f: () => Promise<T>): Promise<T> {
    // This process first: a server's own callers queue here rather than each holding a
    // database connection while it waits.
    const run = (this.local.get(key) ?? Promise.resolve()).then(() =>
      this.dialect === 'postgres'
        ? // The lock is the transaction's: released at its end, or when the session dies with
          // its server. Nothing is written in it; `f` uses the pool's other connections.
          this.db.transaction().execute(async (tx) => {
            await sql`select pg_advisory_xact_lock(hashtext('kiln.exclusive'), hashtext(current_schema() || '/' || ${key}))`.execute(
              tx,
            );
            return f();
          })
        : f(),
    );
    const tail = run.catch(() => undefined);
    this.local.set(key, tail);
    void tail.then(() => {
      if (this.local.get(key) === tail) this.local.delete(key);
    });
    return run;
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.afterClose();
  }
}
