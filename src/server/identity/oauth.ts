import { CodeChallengeMethod, OAuth2Client, generateCodeVerifier, generateState } from 'arctic';
import type { ExternalPerson } from './first-login.js';
import type { FlowChecks } from './oidc.js';
import type { ResolvedProvider } from './sso-providers.js';

/**
 * GitHub and GitLab sign-in (OAuth 2 with PKCE through arctic). The endpoints follow the base
 * URL, so GitHub Enterprise Server and self-managed GitLab work as github.com and gitlab.com do.
 */
function endpoints(p: ResolvedProvider): { authorize: string; token: string; api: string; scopes: string[] } {
  if (p.kind === 'github') {
    const base = (p.config.issuer ?? 'https://github.com').replace(/\/+$/, '');
    return {
      authorize: `${base}/login/oauth/authorize`,
      token: `${base}/login/oauth/access_token`,
      api: base === 'https://github.com' ? 'https://api.github.com' : `${base}/api/v3`,
      scopes: ['read:user', 'user:email'],
    };
  }
  const base = (p.config.issuer ?? 'https://gitlab.com').replace(/\/+$/, '');
  return {
    authorize: `${base}/oauth/authorize`,
    token: `${base}/oauth/token`,
    api: `${base}/api/v4`,
    scopes: ['read_user'],
  };
}

export function oauthAuthorizationUrl(
  p: ResolvedProvider,
  redirectUri: string,
): { url: URL; checks: FlowChecks } {
  const e = endpoints(p);
  const c = new OAuth2Client(p.config.clientId, p.clientSecret, redirectUri);
  const checks = { state: generateState(), nonce: '', verifier: generateCodeVerifier() };
  const url = c.createAuthorizationURLWithPKCE(
    e.authorize,
    checks.state,
    CodeChallengeMethod.S256,
    checks.verifier,
    e.scopes,
  );
  return { url, checks };
}

async function getJson(url: string, accessToken: string): Promise<unknown> {
  const res = await fetch(url, {
    headers: {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/json',
      'user-agent': 'Kiln',
    },
  });
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
  return res.json();
}

/** Redeems the code and asks the provider's API who it belongs to. `state` is checked by the caller. */
export async function oauthPerson(
  p: ResolvedProvider,
  code: string,
  checks: FlowChecks,
  redirectUri: string,
): Promise<ExternalPerson> {
  const e = endpoints(p);
  const c = new OAuth2Client(p.config.clientId, p.clientSecret, redirectUri);
  const tokens = await c.validateAuthorizationCode(e.token, code, checks.verifier);
  // GitHub answers a bad or used code with 200 and {"error": "bad_verification_code"}.
  const err = (tokens.data as { error?: unknown }).error;
  if (typeof err === 'string') throw new Error(`the provider refused the sign-in code (${err})`);
  const accessToken = tokens.accessToken();
  if (p.kind === 'github') {
    const user = (await getJson(`${e.api}/user`, accessToken)) as { id?: unknown; login?: unknown };
    const emails = (await getJson(`${e.api}/user/emails`, accessToken)) as Array<{
      email?: unknown;
      primary?: unknown;
      verified?: unknown;
    }>;
    const primary = Array.isArray(emails)
      ? emails.find((m) => m.primary === true && typeof m.email === 'string')
      : undefined;
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new Error('GitHub sent no user id');
    return {
      subject: String(user.id),
      email: primary ? String(primary.email) : null,
      emailVerified: primary?.verified === true,
      groups: [],
      preferredName: typeof user.login === 'string' ? user.login : null,
    };
  }
  const user = (await getJson(`${e.api}/user`, accessToken)) as {
    id?: unknown;
    username?: unknown;
    email?: unknown;
    confirmed_at?: unknown;
  };
  if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new Error('GitLab sent no user id');
  return {
    subject: String(user.id),
    email: typeof user.email === 'string' ? user.email : null,
    // GitLab's primary e-mail is a confirmed one; an account still unconfirmed shows no confirmed_at.
    emailVerified:
      typeof user.email === 'string' &&
      (user.confirmed_at === undefined || typeof user.confirmed_at === 'string'),
    groups: [],
    preferredName: typeof user.username === 'string' ? user.username : null,
  };
}
