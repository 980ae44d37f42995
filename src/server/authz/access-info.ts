import type { ProjectAccessInfo } from '../../contracts/teams.js';
import type { ProjectAccess } from './access.js';
import { permissionsOf, refusal, type Permission } from './permissions.js';

/** The caller's role, permissions and the reason for each one missing, for the UI to disable actions. */
export function accessInfo(a: ProjectAccess): ProjectAccessInfo {
  const permissions = permissionsOf(a.role);
  const reasons: Record<string, string> = {};
  for (const [p, ok] of Object.entries(permissions))
    if (!ok)
      reasons[p] = a.capped
        ? `this token's scope allows only what a ${a.role} may do`
        : refusal(a.role, p as Permission, a.team);
  return { role: a.role, team: a.team, permissions, reasons };
}
