import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export type AuditActorKind = 'session' | 'token' | 'agent' | 'anonymous' | 'system';
export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** One recorded state change: who, when, from where, what, and how it ended. */
export interface AuditEventRecord {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  actorKind: AuditActorKind;
  ip: string | null;
  action: string;
  project: string | null;
  target: string | null;
  outcome: AuditOutcome;
  /** Named, safe fields only (never a body, never a secret). */
  detail: Record<string, string | number | boolean | null>;
}

export interface AuditQuery {
  /** A person's name or id. */
  actor?: string;
  /** An exact action (`run.queued`) or a family ending in a dot (`run.`). */
  action?: string;
  project?: string;
  /** Only events of these projects (a team owner's view); an empty list matches nothing. */
  projects?: readonly string[];
  since?: string;
  until?: string;
  /** From a previous page's `next`. */
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  events: AuditEventRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next: string | null;
}

export interface AuditStore {
  record(e: AuditEventRecord): Promise<void>;
  /** Newest first; pages are stable under new events (the cursor names the last one seen). */
  list(q: AuditQuery): Promise<AuditPage>;
  /** Projects whose owner this person is (team owner, unless a project override says otherwise). */
  projectsOwnedBy(userId: string): Promise<string[]>;
}

export const AUDIT_PAGE_MAX = 500;

function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } | null {
  const s = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = s.indexOf('|');
  if (bar <= 0) return null;
  return { at: s.slice(0, bar), id: s.slice(bar + 1) };
}

export function isAuditCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== null;
}

/** The audit trail in `audit_events`, written once for SQLite and PostgreSQL. */
export class KyselyAuditStore implements AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: AuditEventRecord): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        id: e.id,
        at: e.at,
        actor_id: e.actorId,
        actor_name: e.actorName,
        actor_kind: e.actorKind,
        ip: e.ip,
        action: e.action,
        project: e.project,
        target: e.target,
        outcome: e.outcome,
        detail_json: JSON.stringify(e.detail),
      })
      .execute();
  }

  async list(q: AuditQuery): Promise<AuditPage> {
    const limit = Math.max(1, Math.min(q.limit ?? 50, AUDIT_PAGE_MAX));
    if (q.projects && q.projects.length === 0) return { events: [], next: null };
    let query = this.db.selectFrom('audit_events').selectAll();
    if (q.actor) {
      const actor = q.actor;
      query = query.where((eb) => eb.or([eb('actor_name', '=', actor), eb('actor_id', '=', actor)]));
    }
    if (q.action) {
      query = q.action.endsWith('.')
        ? query.where('action', 'like', `${q.action.replace(/[%_\\]/g, '')}%`)
        : query.where('action', '=', q.action);
    }
    if (q.project) query = query.where('project', '=', q.project);
    if (q.projects) query = query.where('project', 'in', [...q.projects]);
    if (q.since) query = query.where('at', '>=', q.since);
    if (q.until) query = query.where('at', '<', q.until);
    const c = q.cursor ? decodeCursor(q.cursor) : null;
    if (c)
      query = query.where((eb) =>
        eb.or([eb('at', '<', c.at), eb.and([eb('at', '=', c.at), eb('id', '<', c.id)])]),
      );
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      events: page.map((r) => ({
        id: r.id,
        at: r.at,
        actorId: r.actor_id,
        actorName: r.actor_name,
        actorKind: r.actor_kind,
        ip: r.ip,
        action: r.action,
        project: r.project,
        target: r.target,
        outcome: r.outcome,
        detail: JSON.parse(r.detail_json) as AuditEventRecord['detail'],
      })),
      next: rows.length > limit && last ? encodeCursor(last.at, last.id) : null,
    };
  }

  async projectsOwnedBy(userId: string): Promise<string[]> {
    // A project override decides for its project; otherwise the team role does.
    const rows = await sql<{ name: string }>`
      select p.name as name from projects p
      left join project_members pm on pm.project = p.name and pm.user_id = ${userId}
      left join team_members tm on tm.team_id = p.team_id and tm.user_id = ${userId}
      where coalesce(pm.role, tm.role) = 'owner'
      order by p.name`.execute(this.db);
    return rows.rows.map((r) => r.name);
  }
}
