import type { Store } from '../../store/port.js';
import type { Auth } from '../auth.js';
import {
  NEEDS,
  atLeast,
  lower,
  personalScope,
  scopeCap,
  type Permission,
  type TeamRole,
} from './permissions.js';

/** A caller's effective role in a project, and the team that owns it (for refusals' wording). */
export interface ProjectAccess {
  project: string;
  role: TeamRole;
  team: string | null;
  /** The token's scope, not the person's role, is what lowered `role`. */
  capped: boolean;
}

/**
 * The caller's effective role in `project`: the project override or team role (an instance
 * admin acts as owner everywhere), lowered to what the token's scope allows; null when the
 * caller is no member, the token is limited to other projects, or it is not a person's token.
 * Null means the project must look as if it did not exist.
 */
export async function projectAccess(
  store: Store,
  auth: Auth | null,
  project: string,
): Promise<ProjectAccess | null> {
  if (!auth) return null;
  const scope = personalScope(auth.scope);
  if (!scope) return null;
  if (auth.projects && !auth.projects.includes(project)) return null;
  let role: TeamRole;
  let team: string | null;
  if (auth.role === 'admin') {
    role = 'owner';
    team = (await store.teams.teamOf(project))?.name ?? null;
  } else {
    const found = await store.teams.roleIn(project, auth.user.id);
    if (!found) return null;
    role = found.role;
    team = found.teamName;
  }
  const effective = lower(role, scopeCap(scope));
  return { project, role: effective, team, capped: effective !== role };
}

/** `resolveAccess(store, auth, project) → role | null`, as helpers B and C use it. */
export async function resolveAccess(
  store: Store,
  auth: Auth | null,
  project: string,
): Promise<TeamRole | null> {
  return (await projectAccess(store, auth, project))?.role ?? null;
}

/**
 * Whether the caller holds `permission`; for project permissions, `role` is their effective
 * role in the project (from {@link resolveAccess}), for `team:admin` their role in the team,
 * for `team:owner` their highest role in any team.
 */
export function can(auth: Auth | null, permission: Permission, role?: TeamRole | null): boolean {
  if (permission === 'public') return true;
  if (!auth) return false;
  const scope = personalScope(auth.scope);
  switch (permission) {
    case 'agent':
      return auth.scope === 'agent';
    case 'live':
      if (/^run:/.test(auth.scope)) return true;
      return scope !== null && scope !== 'read' && (role === undefined || atLeast(role ?? null, 'member'));
    case 'signed-in':
      return scope !== null && scope !== 'live';
    case 'instance:admin':
      return auth.role === 'admin' && scope === 'admin';
    case 'team:admin':
    case 'team:owner':
      return scope === 'admin' && (auth.role === 'admin' || role === 'owner');
    default: {
      if (scope === null || scope === 'live') return false;
      const needed = NEEDS[permission];
      return needed !== undefined && atLeast(role ?? null, needed);
    }
  }
}

/** The words for a project that is missing or hidden from the caller: the same for both. */
export function projectNotFound(name: string): string {
  return `no project named "${name}"`;
}
