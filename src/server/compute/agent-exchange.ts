import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Authenticator } from '../auth.js';
import type { makeRoute } from '../route.js';
import { BOOTSTRAP_SCOPE } from './agent-record.js';

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
  route({ method: 'POST', url: '/api/agents/exchange', permission: 'public' }, async ({ req }) => {
    const who = await auth.authenticate(req);
    if (!who?.tokenId || who.scope !== BOOTSTRAP_SCOPE)
      throw new ApiFailure('unauthorized', 'send "Authorization: token <the machine\'s bootstrap token>"');
    const boot = await store.agents.bootstrap(who.tokenId);
    // One use: of two exchanges at once, only the one whose revocation counted goes on.
    if (!(await store.revokeToken(who.tokenId, who.user.id)))
      throw new ApiFailure('unauthorized', 'this bootstrap token was exchanged already');
    if (!boot || !(Date.parse(boot.until) >= Date.now()))
      throw new ApiFailure('unauthorized', 'this bootstrap token expired before its machine exchanged it');
    const t = await auth.createToken(who.user.id, `agent ${boot.target}`, 'agent');
    // The server may revoke the bootstrap token meanwhile (its machine went). The database
    // orders the two: either the revocation sees this exchange and revokes the agent token, or
    // this exchange sees the revocation and is refused here.
    if ((await store.agents.exchange(who.tokenId, t.id)) !== 'exchanged') {
      await store.revokeToken(t.id, who.user.id);
      throw new ApiFailure('unauthorized', 'the machine of this bootstrap token was ended meanwhile');
    }
    return { token: t.token, id: t.id };
  });
  route({ method: 'POST', url: '/api/agents/revoke', permission: 'agent' }, async ({ auth: who }) => {
    if (who?.tokenId) await store.revokeToken(who.tokenId, who.user.id);
  });
}
