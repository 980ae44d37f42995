import type { Store } from '../../store/port.js';
import type { Authenticator } from '../auth.js';
import type { makeRoute } from '../route.js';
import type { SecretBox } from '../secrets.js';
import { checkCredential } from './check-credential.js';
import { type CredentialChecker, CredentialService } from './credential-service.js';
import { ProfileService } from './profile-service.js';
import { registerComputeRoutes } from './routes.js';
import { registerAgentDownload } from './agent-download.js';
import { registerAgentTokenRoutes } from './agent-exchange.js';

export interface ComputeDeps {
  store: Store;
  box: SecretBox;
  /** Checks agent tokens on the agent download route. */
  auth?: Authenticator;
  /** Provider calls for credential tests; the real SDKs by default. */
  checker?: CredentialChecker;
}

/** Wires compute credentials and profiles into the server. */
export function registerCompute(route: ReturnType<typeof makeRoute>, deps: ComputeDeps) {
  const credentials = new CredentialService(deps.store, deps.box, deps.checker ?? checkCredential);
  const profiles = new ProfileService(deps.store);
  registerComputeRoutes(route, { credentials, profiles });
  if (deps.auth) {
    registerAgentDownload(route, deps.auth);
    registerAgentTokenRoutes(route, deps.auth, deps.store);
  }
  return { credentials, profiles };
}
