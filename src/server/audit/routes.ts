import type { Store } from '../../store/port.js';
import { isAuditCursor } from '../../store/kysely-audit.js';
import { AuditQuery, type AuditPage } from '../../contracts/audit.js';
import { ApiFailure } from '../api-error.js';
import type { makeRoute } from '../route.js';

/**
 * `GET /api/audit` (`team:owner`): instance admins see every event; a team owner sees the
 * events of the projects they own; anyone else is refused before the handler runs.
 */
export function registerAuditRoutes(route: ReturnType<typeof makeRoute>, deps: { store: Store }): void {
  route(
    { method: 'GET', url: '/api/audit', permission: 'team:owner', query: AuditQuery },
    async ({ query, auth }) => {
      if (!auth) throw new ApiFailure('unauthorized', 'log in to read the audit trail');
      if (query.cursor && !isAuditCursor(query.cursor))
        throw new ApiFailure(
          'bad_request',
          'that cursor is not one this server gave out',
          'start again without cursor',
        );
      let projects: string[] | undefined;
      if (auth.role !== 'admin') {
        projects = await deps.store.audit.projectsOwnedBy(auth.user.id);
        if (projects.length === 0)
          throw new ApiFailure('forbidden', 'the audit trail is for instance admins and team owners');
        // Another team's project reads as not existing, as everywhere else.
        if (query.project && !projects.includes(query.project))
          throw new ApiFailure('not_found', `no project ${query.project}`);
      }
      const page = await deps.store.audit.list({
        ...(query.person ? { actor: query.person } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.project ? { project: query.project } : {}),
        ...(projects ? { projects } : {}),
        ...(query.since ? { since: query.since } : {}),
        ...(query.until ? { until: query.until } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
      return page satisfies AuditPage;
    },
  );
}
