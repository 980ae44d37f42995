import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Authenticator } from '../auth.js';
import type { makeRoute } from '../route.js';
import { agentKey, BOOTSTRAP_SCOPE, bootstrapKey, exchangedKey, readAgentRecord } from './agent-record.js';

/**
 * What the server writes over a bootstrap token's expiry when it revokes the token (its machine
 * went): an exchange under way then revokes the agent token it just made.
 */
export const BOOTSTRAP_REVOKED = 'revoked';

/**
 * - `POST /api/agents/exchange` with a VM's bootstrap token (from its user data) → `{token, id}`,
 *   the agent's real token. The bootstrap token is revoked there and then: it works once, and
 *   not at all after 30 minutes.
 * - `POST /api/agents/revoke` with an agent token → 204: the agent's machine is going away (its
 *   idle timeout passed), so its token is revoked before it powers off.
 */
export function registerAgentTokenRoutes(
  route: ReturnType<typeof makeRoute>,
  auth: Authenticator,
  store: Store,
): void {
  // Public: the route checks the bootstrap scope itself, as every other route refuses it.
  route({ method: 'POST', url: '/api/agents/exchange', auth: 'public' }, async ({ req }) => {
    const who = await auth.authenticate(req);
    if (!who?.tokenId || who.scope !== BOOTSTRAP_SCOPE)
      throw new ApiFailure('unauthorized', 'send "Authorization: token <the machine\'s bootstrap token>"');
    const until = await store.getSetting(bootstrapKey(who.tokenId));
    // One use: of two exchanges at once, only the one whose revocation counted goes on.
    if (!(await store.revokeToken(who.tokenId, who.user.id)))
      throw new ApiFailure('unauthorized', 'this bootstrap token was exchanged already');
    if (!until || !(Date.parse(until) >= Date.now()))
      throw new ApiFailure('unauthorized', 'this bootstrap token expired before its machine exchanged it');
    const rec = await readAgentRecord(store, who.tokenId);
    const t = await auth.createToken(who.user.id, `agent ${rec?.target ?? 'machine'}`, 'agent');
    await store.setSetting(agentKey(t.id), JSON.stringify({ via: who.tokenId }));
    await store.setSetting(exchangedKey(who.tokenId), t.id);
    // The server revoked the bootstrap token meanwhile (its machine went): it marks the token
    // before it looks for the exchanged one, so either it saw ours above or we see its mark here.
    if ((await store.getSetting(bootstrapKey(who.tokenId))) !== until) {
      await store.revokeToken(t.id, who.user.id);
      throw new ApiFailure('unauthorized', 'the machine of this bootstrap token was ended meanwhile');
    }
    return { token: t.token, id: t.id };
  });
  route({ method: 'POST', url: '/api/agents/revoke', auth: 'agent' }, async ({ auth: who }) => {
    if (who?.tokenId) await store.revokeToken(who.tokenId, who.user.id);
  });
}
