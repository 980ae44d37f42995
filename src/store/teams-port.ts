/** The shapes of `store.teams` (kysely-teams.ts), apart from port.ts so neither imports the other's module. */
import type { TeamRole } from './schema.js';

export interface TeamRecord {
  id: string;
  name: string;
  personal: boolean;
  monthlyCapUsd: number | null;
  createdAt: string;
}

export interface MemberRecord {
  userId: string;
  name: string;
  email: string | null;
  role: TeamRole;
}

export interface PersonRecord {
  id: string;
  name: string;
  role: 'admin' | 'user';
  email: string | null;
  disabledAt: string | null;
}

/** A token with what bounds it: scope, project list, expiry. */
export interface ScopedTokenRecord {
  id: string;
  userId: string;
  name: string;
  scope: string;
  createdAt: string;
  lastUsedAt: string | null;
  projects: string[] | null;
  expiresAt: string | null;
}

/** A person's role in a project and the team that owns it. */
export interface ProjectRole {
  role: TeamRole;
  teamId: string;
  teamName: string;
}

/** Teams, memberships, per-project roles, people and scoped tokens (`store.teams`). */
export interface TeamsStore {
  listTeams(): Promise<TeamRecord[]>;
  getTeam(idOrName: string): Promise<TeamRecord | null>;
  createTeam(t: { name: string; personal?: boolean }): Promise<TeamRecord | null>;
  setMonthlyCap(teamId: string, usd: number | null): Promise<void>;
  deleteTeam(teamId: string): Promise<boolean>;
  setMember(teamId: string, userId: string, role: TeamRole): Promise<void>;
  removeMember(teamId: string, userId: string): Promise<boolean>;
  members(teamId: string): Promise<MemberRecord[]>;
  teamsOf(userId: string): Promise<Array<{ id: string; name: string; role: TeamRole }>>;
  setProjectRole(project: string, userId: string, role: TeamRole | null): Promise<void>;
  projectOverrides(project: string): Promise<MemberRecord[]>;
  setProjectTeam(project: string, teamId: string): Promise<void>;
  roleIn(project: string, userId: string): Promise<ProjectRole | null>;
  teamOf(project: string): Promise<{ id: string; name: string } | null>;
  projectsOf(userId: string): Promise<string[]>;
  createUser(u: { name: string; email?: string | null; role?: 'admin' | 'user' }): Promise<PersonRecord>;
  setUserRole(userId: string, role: 'admin' | 'user'): Promise<void>;
  findUser(nameOrEmail: string): Promise<PersonRecord | null>;
  listUsers(): Promise<PersonRecord[]>;
  createToken(t: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    scope: string;
    projects?: string[] | null;
    expiresAt?: string | null;
  }): Promise<ScopedTokenRecord>;
  listTokens(userId: string): Promise<ScopedTokenRecord[]>;
  findToken(tokenHash: string): Promise<{ token: ScopedTokenRecord; user: PersonRecord } | null>;
  setRunOwner(experimentId: string, userId: string): Promise<void>;
  runOwner(experimentId: string): Promise<string | null>;
  /** Forgets who queued these runs (their project was deleted). */
  removeRunOwners(experimentIds: readonly string[]): Promise<void>;
}
