/**
 * Who may do what: team roles, token scopes and the permission each route declares. Pure
 * functions only, so the route builder, SSE, git HTTP and the live API decide alike.
 */
import type { TeamRole } from '../../store/schema.js';

export type { TeamRole };

/** What a route needs; see README "Roles". */
export type Permission =
  | 'public'
  | 'signed-in'
  | 'project:read'
  | 'project:run'
  | 'project:maintain'
  | 'project:own'
  | 'team:admin'
  | 'team:owner'
  | 'instance:admin'
  | 'agent'
  | 'live';

export const PERMISSIONS: readonly Permission[] = [
  'public',
  'signed-in',
  'project:read',
  'project:run',
  'project:maintain',
  'project:own',
  'team:admin',
  'team:owner',
  'instance:admin',
  'agent',
  'live',
];

export const ROLES: readonly TeamRole[] = ['viewer', 'member', 'maintainer', 'owner'];
const RANK: Record<TeamRole, number> = { viewer: 1, member: 2, maintainer: 3, owner: 4 };

/** Personal token scopes a person may create. */
export const TOKEN_SCOPES = ['read', 'run', 'live', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The role a project permission needs. */
export const NEEDS: Partial<Record<Permission, TeamRole>> = {
  'project:read': 'viewer',
  'project:run': 'member',
  'project:maintain': 'maintainer',
  'project:own': 'owner',
  'team:admin': 'owner',
  'team:owner': 'owner',
  // Posting live metrics is part of running experiments.
  live: 'member',
};

export function atLeast(role: TeamRole | null, needed: TeamRole): boolean {
  return role !== null && RANK[role] >= RANK[needed];
}

export function lower(a: TeamRole, b: TeamRole): TeamRole {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * A person's scope, normalized: sessions and pre-teams tokens (`user`) act as `admin`-scoped
 * tokens of their owner. Machine scopes (`agent`, `run:<id>`, bootstrap) are not personal.
 */
export function personalScope(scope: string): TokenScope | null {
  if (scope === 'user' || scope === 'admin') return 'admin';
  if (scope === 'read' || scope === 'run' || scope === 'live') return scope;
  return null;
}

/** The highest role a token scope lets its owner act with: a scope never raises a role. */
export function scopeCap(scope: TokenScope): TeamRole {
  return scope === 'read' ? 'viewer' : scope === 'run' || scope === 'live' ? 'member' : 'owner';
}

/** How a role's missing permission reads to a person. */
export function refusal(role: TeamRole, permission: Permission, team: string | null): string {
  const who = `${role}s`;
  const ask = team ? ` — ask a maintainer of team ${team}` : '';
  switch (permission) {
    case 'project:run':
    case 'live':
      return `${who} cannot run experiments${ask}`;
    case 'project:maintain':
      return `${who} cannot change this project's settings${ask}`;
    case 'project:own':
      return `${who} cannot manage this project's members or delete it${team ? ` — ask an owner of team ${team}` : ''}`;
    case 'team:admin':
      return `${who} cannot manage the team's members${team ? ` — ask an owner of team ${team}` : ''}`;
    case 'team:owner':
      return 'this is for instance admins and team owners';
    default:
      return `${who} cannot do this${ask}`;
  }
}

/** Every project permission and whether `role` has it: the UI disables what is false. */
export function permissionsOf(role: TeamRole | null): Record<string, boolean> {
  return {
    'project:read': atLeast(role, 'viewer'),
    'project:run': atLeast(role, 'member'),
    'project:maintain': atLeast(role, 'maintainer'),
    'project:own': atLeast(role, 'owner'),
  };
}
