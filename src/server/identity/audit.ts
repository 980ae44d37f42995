import type { Store } from '../../store/port.js';
import { recordAudit, type AuditInput } from '../audit/index.js';

/** A sign-in or invite event: the audit trail's own input, with the action names narrowed. */
export interface SignInEvent extends AuditInput {
  action: 'signin.ok' | 'signin.failed' | 'invite.created' | 'invite.accepted' | 'invite.revoked';
}

/** Where sign-ins (and failed ones) and invites reach the audit trail. */
export function audit(store: Store, e: SignInEvent): Promise<void> {
  return recordAudit(store, e);
}
