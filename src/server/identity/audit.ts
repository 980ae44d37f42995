import type { FastifyRequest } from 'fastify';
import type { Store } from '../../store/port.js';

/** A sign-in event for the audit trail (the shape of helper C's `recordAudit` input). */
export interface SignInEvent {
  action:
    'signin.ok' | 'signin.failed' | 'invite.created' | 'invite.accepted' | 'invite.revoked' | 'sso.provider';
  outcome?: 'ok' | 'denied' | 'failed';
  actor?: { id: string | null; name: string | null; kind: 'session' | 'anonymous' } | null;
  req?: FastifyRequest;
  target?: string | null;
  /** Named, safe fields only: never a password, token or secret. */
  detail?: Record<string, string | number | boolean | null>;
}

/**
 * Where sign-ins and invites reach the audit trail.
 * AUDIT-HOOK: becomes `return recordAudit(store, e)` (src/server/audit/index.ts) once it lands on main.
 */
export async function audit(_store: Store, _e: SignInEvent): Promise<void> {}
