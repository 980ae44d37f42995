import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../store/port.js';
import type { AuditActorKind, AuditEventRecord, AuditOutcome } from '../../store/kysely-audit.js';
import type { Auth } from '../auth.js';
import { callerOf } from '../caller.js';
import { ruleFor } from './actions.js';

export type AuditDetail = AuditEventRecord['detail'];

export interface AuditActor {
  id: string | null;
  name: string | null;
  kind: AuditActorKind;
}

/** What a caller of {@link recordAudit} says happened. */
export interface AuditInput {
  /** Readable action name: `signin.ok`, `signin.failed`, `credential.used`, `invite.accepted`, … */
  action: string;
  outcome?: AuditOutcome;
  /** Who; defaults to the request's caller (or anonymous), `system` without a request. */
  actor?: AuditActor | Auth | null;
  /** The request it came from: gives the IP, and the central hook then skips this request. */
  req?: FastifyRequest;
  project?: string | null;
  target?: string | null;
  /** Named, safe fields only: never a password, token, secret or body. */
  detail?: AuditDetail;
}

/** Requests whose handler recorded its own event, so the central hook does not add a second. */
const recorded = new WeakSet<FastifyRequest>();

export function actorOf(who: Auth | null | undefined): AuditActor {
  if (!who) return { id: null, name: null, kind: 'anonymous' };
  const kind: AuditActorKind =
    who.scope === 'agent' || who.scope.startsWith('run:') || who.scope.startsWith('bootstrap')
      ? 'agent'
      : who.tokenId
        ? 'token'
        : 'session';
  return { id: who.user.id, name: who.user.name, kind };
}

function isAuth(a: AuditActor | Auth): a is Auth {
  return 'user' in a;
}

/**
 * Records one event. Never throws: an audit write that fails is logged, and what it describes
 * has already happened.
 */
export async function recordAudit(store: Store, e: AuditInput): Promise<void> {
  if (e.req) recorded.add(e.req);
  const actor =
    e.actor === undefined || e.actor === null
      ? e.req
        ? actorOf(callerOf(e.req))
        : { id: null, name: null, kind: e.actor === null ? ('anonymous' as const) : ('system' as const) }
      : isAuth(e.actor)
        ? actorOf(e.actor)
        : e.actor;
  try {
    await store.audit.record({
      id: eventId(),
      at: new Date().toISOString(),
      actorId: actor.id,
      actorName: actor.name,
      actorKind: actor.kind,
      ip: e.req?.ip ?? null,
      action: e.action,
      project: e.project ?? null,
      target: e.target ?? null,
      outcome: e.outcome ?? 'ok',
      detail: e.detail ?? {},
    });
  } catch (err) {
    if (e.req) e.req.log.error({ err, action: e.action }, 'could not record an audit event');
    else console.error(`could not record the audit event ${e.action}: ${String(err)}`);
  }
}

/** Time-ordered ids, so events of one millisecond still page in the order they happened. */
let lastMs = 0;
let seq = 0;
function eventId(): string {
  const ms = Date.now();
  seq = ms === lastMs ? seq + 1 : 0;
  lastMs = ms;
  return `${ms.toString(36).padStart(9, '0')}${seq.toString(36).padStart(4, '0')}${crypto.randomUUID().slice(0, 8)}`;
}

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403) return 'denied';
  return 'failed';
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function pick(from: unknown, fields: readonly string[] | undefined, into: AuditDetail): void {
  if (!fields || !from || typeof from !== 'object') return;
  for (const f of fields) {
    const v = (from as Record<string, unknown>)[f];
    if (typeof v === 'string') into[f] = v.slice(0, 200);
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) into[f] = v;
  }
}

const responses = new WeakMap<FastifyRequest, string>();

/**
 * Every request that may change state (not GET) is recorded once it is answered: the route's
 * readable action, the caller, IP, project, target, outcome by status and named safe fields.
 */
export function installAuditHook(app: FastifyInstance, store: Store): void {
  app.addHook('onSend', async (req, _reply, payload) => {
    if (!READS.has(req.method) && typeof payload === 'string' && payload.length < 64 * 1024)
      responses.set(req, payload);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    if (READS.has(req.method) || recorded.has(req)) return;
    const url = req.routeOptions.url;
    // Unknown paths (404 without a route) name nothing to audit.
    if (!url) return;
    const rule = ruleFor(req.method, url);
    const outcome = outcomeOf(reply.statusCode);
    if (rule.skip || (rule.onlyFailures && outcome === 'ok')) return;
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const body = req.body as Record<string, unknown> | undefined;
    const detail: AuditDetail = { method: req.method, route: url, status: reply.statusCode };
    pick(body, rule.bodyFields, detail);
    const sent = responses.get(req);
    if (rule.responseFields && sent && outcome === 'ok') {
      try {
        const fromResponse: AuditDetail = {};
        pick(JSON.parse(sent), rule.responseFields, fromResponse);
        for (const [k, v] of Object.entries(fromResponse)) detail[`result.${k}`] = v;
      } catch {
        // not JSON: nothing to keep
      }
    }
    const bodyTarget =
      rule.targetBody && typeof body?.[rule.targetBody] === 'string' ? body[rule.targetBody] : null;
    const project =
      url.startsWith('/api/projects/:name') || url.startsWith('/api/git/:project')
        ? (params.name ?? params.project ?? null)
        : rule.action === 'project.created' && typeof bodyTarget === 'string'
          ? bodyTarget
          : null;
    const action =
      rule.action === 'signin' ? (outcome === 'ok' ? 'signin.ok' : 'signin.failed') : rule.action;
    await recordAudit(store, {
      action,
      outcome,
      req,
      project,
      target:
        (rule.targetParam ? params[rule.targetParam] : undefined) ?? (bodyTarget as string | null) ?? null,
      detail,
    });
  });
}
