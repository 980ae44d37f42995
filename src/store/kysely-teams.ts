import type { Kysely, Selectable } from 'kysely';
import type { Database, TeamRole, TokensTable } from './schema.js';
import type {
  MemberRecord,
  PersonRecord,
  ProjectRole,
  ScopedTokenRecord,
  TeamRecord,
  TeamsStore,
} from './teams-port.js';

const now = () => new Date().toISOString();

/** A token's "last used" is written at most this often: a busy agent must not write per request. */
const LAST_USED_EVERY_MS = 60_000;

function toToken(r: Selectable<TokensTable>): ScopedTokenRecord {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scope: r.scope,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    projects: r.projects_json ? (JSON.parse(r.projects_json) as string[]) : null,
    expiresAt: r.expires_at,
  };
}

/** Tokens a person made for themselves (not machines' or runs' tokens). */
const PERSONAL_SCOPES = ['user', 'read', 'run', 'live', 'admin'];

/** Teams, memberships, per-project roles, people and scoped tokens (`store.teams`). */
export class KyselyTeamsStore implements TeamsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listTeams(): Promise<TeamRecord[]> {
    const rows = await this.db.selectFrom('teams').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      personal: r.personal === 1,
      monthlyCapUsd: r.monthly_cap_usd,
      createdAt: r.created_at,
    }));
  }

  /** A team by id or by name. */
  async getTeam(idOrName: string): Promise<TeamRecord | null> {
    const r = await this.db
      .selectFrom('teams')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    return r
      ? {
          id: r.id,
          name: r.name,
          personal: r.personal === 1,
          monthlyCapUsd: r.monthly_cap_usd,
          createdAt: r.created_at,
        }
      : null;
  }

  /** Creates a team; null when the name is taken. */
  async createTeam(t: { name: string; personal?: boolean }): Promise<TeamRecord | null> {
    if (await this.getTeam(t.name)) return null;
    const rec: TeamRecord = {
      id: crypto.randomUUID(),
      name: t.name,
      personal: t.personal ?? false,
      monthlyCapUsd: null,
      createdAt: now(),
    };
    await this.db
      .insertInto('teams')
      .values({
        id: rec.id,
        name: rec.name,
        personal: rec.personal ? 1 : 0,
        monthly_cap_usd: null,
        created_at: rec.createdAt,
      })
      .execute();
    return rec;
  }

  async setMonthlyCap(teamId: string, usd: number | null): Promise<void> {
    await this.db.updateTable('teams').set({ monthly_cap_usd: usd }).where('id', '=', teamId).execute();
  }

  /** Deletes a team that owns no project; false when it does not exist or still owns one. */
  /**
   * Deletes a team that holds no project (its members, invites and profile grants go with it);
   * false when it is unknown or still holds one. One statement, so a project added meanwhile
   * keeps its team.
   */
  async deleteTeam(teamId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('teams')
      .where('id', '=', teamId)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('projects').select('name').where('projects.team_id', '=', teamId))),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Adds a person to a team or changes their role there. */
  async setMember(teamId: string, userId: string, role: TeamRole): Promise<void> {
    await this.db
      .insertInto('team_members')
      .values({ team_id: teamId, user_id: userId, role, created_at: now() })
      .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ role }))
      .execute();
  }

  async removeMember(teamId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('team_members')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async members(teamId: string): Promise<MemberRecord[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['users.id as userId', 'users.name', 'users.email', 'team_members.role'])
      .where('team_members.team_id', '=', teamId)
      .orderBy('users.name')
      .execute();
    return rows;
  }

  /** The teams a person belongs to, with their role in each. */
  async teamsOf(userId: string): Promise<Array<{ id: string; name: string; role: TeamRole }>> {
    return this.db
      .selectFrom('team_members')
      .innerJoin('teams', 'teams.id', 'team_members.team_id')
      .select(['teams.id', 'teams.name', 'team_members.role'])
      .where('team_members.user_id', '=', userId)
      .orderBy('teams.name')
      .execute();
  }

  /** Overrides a person's team role for one project; `null` removes the override. */
  async setProjectRole(project: string, userId: string, role: TeamRole | null): Promise<void> {
    if (role === null) {
      await this.db
        .deleteFrom('project_members')
        .where('project', '=', project)
        .where('user_id', '=', userId)
        .execute();
      return;
    }
    await this.db
      .insertInto('project_members')
      .values({ project, user_id: userId, role, created_at: now() })
      .onConflict((oc) => oc.columns(['project', 'user_id']).doUpdateSet({ role }))
      .execute();
  }

  async projectOverrides(project: string): Promise<MemberRecord[]> {
    return this.db
      .selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .select(['users.id as userId', 'users.name', 'users.email', 'project_members.role'])
      .where('project_members.project', '=', project)
      .orderBy('users.name')
      .execute();
  }

  /** Moves a project to another team. */
  async setProjectTeam(project: string, teamId: string): Promise<void> {
    await this.db.updateTable('projects').set({ team_id: teamId }).where('name', '=', project).execute();
  }

  /**
   * A person's role in a project: the project's override if any, else their role in the team
   * that owns it; null when the project does not exist or they are no member of it.
   */
  async roleIn(project: string, userId: string): Promise<ProjectRole | null> {
    const r = await this.db
      .selectFrom('projects')
      .innerJoin('teams', 'teams.id', 'projects.team_id')
      .leftJoin('team_members as tm', (j) =>
        j.onRef('tm.team_id', '=', 'projects.team_id').on('tm.user_id', '=', userId),
      )
      .leftJoin('project_members as pm', (j) =>
        j.onRef('pm.project', '=', 'projects.name').on('pm.user_id', '=', userId),
      )
      .select(['teams.id as teamId', 'teams.name as teamName', 'tm.role as teamRole', 'pm.role as override'])
      .where('projects.name', '=', project)
      .executeTakeFirst();
    const role = r?.override ?? r?.teamRole ?? null;
    return r && role ? { role, teamId: r.teamId, teamName: r.teamName } : null;
  }

  /** The team that owns a project (id and name), or null. */
  async teamOf(project: string): Promise<{ id: string; name: string } | null> {
    const r = await this.db
      .selectFrom('projects')
      .innerJoin('teams', 'teams.id', 'projects.team_id')
      .select(['teams.id', 'teams.name'])
      .where('projects.name', '=', project)
      .executeTakeFirst();
    return r ?? null;
  }

  /** The names of the projects a person is a member of, through a team or an override. */
  async projectsOf(userId: string): Promise<string[]> {
    const viaTeam = await this.db
      .selectFrom('projects')
      .innerJoin('team_members', 'team_members.team_id', 'projects.team_id')
      .select('projects.name')
      .where('team_members.user_id', '=', userId)
      .execute();
    const viaOverride = await this.db
      .selectFrom('project_members')
      .select('project as name')
      .where('user_id', '=', userId)
      .execute();
    return [...new Set([...viaTeam, ...viaOverride].map((r) => r.name))].sort();
  }

  async createUser(u: {
    name: string;
    email?: string | null;
    role?: 'admin' | 'user';
  }): Promise<PersonRecord> {
    const rec: PersonRecord = {
      id: crypto.randomUUID(),
      name: u.name,
      role: u.role ?? 'user',
      email: u.email ?? null,
      disabledAt: null,
    };
    await this.db
      .insertInto('users')
      .values({
        id: rec.id,
        name: rec.name,
        role: rec.role,
        email: rec.email,
        password_hash: null,
        disabled_at: null,
        created_at: now(),
      })
      .execute();
    return rec;
  }

  async setUserRole(userId: string, role: 'admin' | 'user'): Promise<void> {
    await this.db.updateTable('users').set({ role }).where('id', '=', userId).execute();
  }

  /** A person by user name or e-mail address. */
  async findUser(nameOrEmail: string): Promise<PersonRecord | null> {
    const r = await this.db
      .selectFrom('users')
      .select(['id', 'name', 'role', 'email', 'disabled_at'])
      .where((eb) => eb.or([eb('name', '=', nameOrEmail), eb('email', '=', nameOrEmail)]))
      .orderBy('name')
      .executeTakeFirst();
    return r ? { id: r.id, name: r.name, role: r.role, email: r.email, disabledAt: r.disabled_at } : null;
  }

  async listUsers(): Promise<PersonRecord[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'name', 'role', 'email', 'disabled_at'])
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      email: r.email,
      disabledAt: r.disabled_at,
    }));
  }

  async createToken(t: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    scope: string;
    projects?: string[] | null;
    expiresAt?: string | null;
  }): Promise<ScopedTokenRecord> {
    const row = {
      id: t.id,
      user_id: t.userId,
      name: t.name,
      token_hash: t.tokenHash,
      scope: t.scope,
      created_at: now(),
      last_used_at: null,
      revoked_at: null,
      projects_json: t.projects?.length ? JSON.stringify(t.projects) : null,
      expires_at: t.expiresAt ?? null,
    };
    await this.db.insertInto('tokens').values(row).execute();
    return toToken(row);
  }

  /** A person's own tokens (not revoked), newest first, expired ones included so they see why. */
  async listTokens(userId: string): Promise<ScopedTokenRecord[]> {
    const rows = await this.db
      .selectFrom('tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('scope', 'in', PERSONAL_SCOPES)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toToken);
  }

  /**
   * The token and its owner, read from the database on every call (a revocation or role change
   * made by any server is seen at once); null when unknown, revoked, or its owner is disabled.
   * Expiry is the caller's to check. "Last used" is written at most once a minute.
   */
  async findToken(tokenHash: string): Promise<{ token: ScopedTokenRecord; user: PersonRecord } | null> {
    const r = await this.db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .selectAll('tokens')
      .select([
        'users.name as user_name',
        'users.role as user_role',
        'users.disabled_at as user_disabled',
        'users.email as user_email',
      ])
      .where('tokens.token_hash', '=', tokenHash)
      .where('tokens.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!r || r.user_disabled) return null;
    const at = Date.now();
    if (!r.last_used_at || at - Date.parse(r.last_used_at) > LAST_USED_EVERY_MS) {
      const stamp = new Date(at).toISOString();
      await this.db.updateTable('tokens').set({ last_used_at: stamp }).where('id', '=', r.id).execute();
      r.last_used_at = stamp;
    }
    return {
      token: toToken(r),
      user: { id: r.user_id, name: r.user_name, role: r.user_role, email: r.user_email, disabledAt: null },
    };
  }

  async setRunOwner(experimentId: string, userId: string): Promise<void> {
    await this.db
      .insertInto('run_owners')
      .values({ experiment_id: experimentId, user_id: userId, created_at: now() })
      .onConflict((oc) => oc.column('experiment_id').doNothing())
      .execute();
  }

  async removeRunOwners(experimentIds: readonly string[]): Promise<void> {
    for (let i = 0; i < experimentIds.length; i += 500)
      await this.db
        .deleteFrom('run_owners')
        .where('experiment_id', 'in', experimentIds.slice(i, i + 500))
        .execute();
  }

  /** Who queued a run; null for runs queued by no person (before teams, or by CI/webhooks). */
  async runOwner(experimentId: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('run_owners')
      .select('user_id')
      .where('experiment_id', '=', experimentId)
      .executeTakeFirst();
    return r?.user_id ?? null;
  }
}
