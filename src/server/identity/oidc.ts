import * as client from 'openid-client';
import type { ExternalPerson } from './first-login.js';
import { isLoopback, type ResolvedProvider } from './sso-providers.js';

/** What the browser's round trip must bring back unchanged (kept sealed in a cookie). */
export interface FlowChecks {
  state: string;
  nonce: string;
  verifier: string;
}

const DISCOVERY_TTL_MS = 10 * 60_000;
const discovered = new Map<string, { at: number; config: Promise<client.Configuration> }>();

/** The issuer's metadata (discovery), kept a few minutes per provider version. */
function configOf(p: ResolvedProvider): Promise<client.Configuration> {
  const key = `${p.id}\u0000${p.updatedAt}`;
  const have = discovered.get(key);
  if (have && Date.now() - have.at < DISCOVERY_TTL_MS) return have.config;
  const issuer = p.config.issuer;
  if (!issuer) throw new Error(`provider ${p.id} has no issuer`);
  const config = client.discovery(
    new URL(issuer),
    p.config.clientId,
    p.clientSecret,
    undefined,
    // Plain http only for an issuer on this machine (sso-providers.ts refuses it elsewhere).
    isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
  );
  // A failed discovery is tried again on the next sign-in, not remembered.
  config.catch(() => discovered.delete(key));
  discovered.set(key, { at: Date.now(), config });
  return config;
}

export async function oidcAuthorizationUrl(
  p: ResolvedProvider,
  redirectUri: string,
): Promise<{ url: URL; checks: FlowChecks }> {
  const config = await configOf(p);
  const verifier = client.randomPKCECodeVerifier();
  const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: p.config.scopes ?? 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: checks.state,
    nonce: checks.nonce,
  });
  return { url, checks };
}

/**
 * Redeems the code (openid-client checks state, PKCE, the ID token's signature, issuer,
 * audience, expiry and nonce) and reads who signed in from the ID token and the userinfo.
 */
export async function oidcPerson(
  p: ResolvedProvider,
  currentUrl: URL,
  checks: FlowChecks,
): Promise<ExternalPerson> {
  const config = await configOf(p);
  const tokens = await client.authorizationCodeGrant(config, currentUrl, {
    pkceCodeVerifier: checks.verifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  const idClaims = tokens.claims();
  if (!idClaims) throw new Error('the provider sent no ID token');
  const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub).catch(() => ({}));
  const claims: Record<string, unknown> = { ...info, ...idClaims };
  const rawGroups = claims[p.config.groupsClaim];
  const groups = Array.isArray(rawGroups)
    ? rawGroups.filter((g): g is string => typeof g === 'string')
    : typeof rawGroups === 'string'
      ? [rawGroups]
      : [];
  return {
    subject: idClaims.sub,
    email: typeof claims.email === 'string' ? claims.email : null,
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    groups,
    preferredName: typeof claims.preferred_username === 'string' ? claims.preferred_username : null,
  };
}
