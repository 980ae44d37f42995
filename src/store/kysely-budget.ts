import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Rows of migration 013. */
export interface ProfileTeamsTable {
  profile: string;
  team_id: string;
}
type BudgetDatabase = Database & { profile_teams: ProfileTeamsTable };

export interface TeamBudgetRecord {
  id: string;
  name: string;
  monthlyCapUsd: number | null;
}

/** A run that may cost money, for adding up a team's month. */
export interface SpendRunRecord {
  project: string;
  name: string;
  target: string;
  status: string;
  timeoutSec: number;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Compute and money: which teams may use a profile, teams' caps, and the runs that count. */
export interface BudgetStore {
  /** The team that owns a project, with its cap; null for an unknown project. */
  teamOfProject(project: string): Promise<TeamBudgetRecord | null>;
  /** A team by id or name. */
  team(idOrName: string): Promise<TeamBudgetRecord | null>;
  setCap(teamId: string, usd: number | null): Promise<void>;
  /** Every team (no user given), or the teams a person belongs to, with their role there. */
  teams(userId?: string): Promise<Array<TeamBudgetRecord & { role: string | null }>>;
  /** The teams allowed on a profile; empty = every team. */
  profileTeams(profile: string): Promise<string[]>;
  setProfileTeams(profile: string, teamIds: readonly string[]): Promise<void>;
  /** Runs of the team's projects not on `local`, created at or after `since`. */
  runsSince(teamId: string, since: string): Promise<SpendRunRecord[]>;
}

export class KyselyBudgetStore implements BudgetStore {
  private readonly db: Kysely<BudgetDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Kysely<BudgetDatabase>;
  }

  async teamOfProject(project: string): Promise<TeamBudgetRecord | null> {
    const r = await this.db
      .selectFrom('projects')
      .innerJoin('teams', 'teams.id', 'projects.team_id')
      .select(['teams.id as id', 'teams.name as name', 'teams.monthly_cap_usd as cap'])
      .where('projects.name', '=', project)
      .executeTakeFirst();
    return r ? { id: r.id, name: r.name, monthlyCapUsd: r.cap } : null;
  }

  async team(idOrName: string): Promise<TeamBudgetRecord | null> {
    const r = await this.db
      .selectFrom('teams')
      .select(['id', 'name', 'monthly_cap_usd as cap'])
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    return r ? { id: r.id, name: r.name, monthlyCapUsd: r.cap } : null;
  }

  async setCap(teamId: string, usd: number | null): Promise<void> {
    await this.db.updateTable('teams').set({ monthly_cap_usd: usd }).where('id', '=', teamId).execute();
  }

  async teams(userId?: string): Promise<Array<TeamBudgetRecord & { role: string | null }>> {
    if (userId === undefined) {
      const rows = await this.db
        .selectFrom('teams')
        .select(['id', 'name', 'monthly_cap_usd as cap'])
        .orderBy('name')
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.name, monthlyCapUsd: r.cap, role: null }));
    }
    const rows = await this.db
      .selectFrom('teams')
      .innerJoin('team_members', 'team_members.team_id', 'teams.id')
      .select([
        'teams.id as id',
        'teams.name as name',
        'teams.monthly_cap_usd as cap',
        'team_members.role as role',
      ])
      .where('team_members.user_id', '=', userId)
      .orderBy('teams.name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, monthlyCapUsd: r.cap, role: r.role }));
  }

  async profileTeams(profile: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('profile_teams')
      .select('team_id')
      .where('profile', '=', profile)
      .orderBy('team_id')
      .execute();
    return rows.map((r) => r.team_id);
  }

  async setProfileTeams(profile: string, teamIds: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('profile_teams').where('profile', '=', profile).execute();
      if (teamIds.length)
        await tx
          .insertInto('profile_teams')
          .values([...new Set(teamIds)].map((team_id) => ({ profile, team_id })))
          .execute();
    });
  }

  async runsSince(teamId: string, since: string): Promise<SpendRunRecord[]> {
    const rows = await this.db
      .selectFrom('experiments')
      .innerJoin('projects', 'projects.name', 'experiments.project')
      .select([
        'experiments.project as project',
        'experiments.name as name',
        'experiments.target as target',
        'experiments.status as status',
        'experiments.timeout_sec as timeoutSec',
        'experiments.started_at as startedAt',
        'experiments.finished_at as finishedAt',
      ])
      .where('projects.team_id', '=', teamId)
      .where('experiments.target', '!=', 'local')
      .where((eb) =>
        eb.or([eb('experiments.created_at', '>=', since), eb('experiments.finished_at', '>=', since)]),
      )
      .execute();
    return rows;
  }
}
