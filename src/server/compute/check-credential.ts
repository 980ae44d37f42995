import type { CredentialChecker } from './credential-service.js';

/**
 * The provider checks behind Settings → Credentials → Test. The cloud and Kubernetes SDKs they
 * use load on the first test, not with the server.
 */
export const checkCredential: CredentialChecker = async (secret) =>
  (await import('./checks.js')).checkCredential(secret);
