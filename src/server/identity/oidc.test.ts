import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { CookieBrowser, startOidcProvider, type OidcHarness } from '../../../test/oidc-harness.js';

/**
 * Sign-in against a real OpenID provider (oidc-provider, certified) started here on 127.0.0.1:
 * discovery, authorization code with PKCE, state and nonce, ID token and userinfo are the real thing.
 */
let s: TestServer;
let idp: OidcHarness;

beforeAll(async () => {
  s = await startTestServer();
  idp = await startOidcProvider([`${s.url}/api/auth/sso/corp/callback`]);
  idp.accounts.set('u-alice', { email: 'alice@corp.test', preferred_username: 'alice' });
  idp.accounts.set('u-bob', { email: 'bob@gmail.test', preferred_username: 'bobby' });
  idp.accounts.set('u-carol', { email: 'carol@home.test', preferred_username: 'carol' });
  idp.accounts.set('u-erin', { email: 'erin@elsewhere.test', groups: ['kiln-users'] });
  idp.accounts.set('u-mallory', { email: 'mallory@evil.test', groups: ['others'] });
  idp.accounts.set('u-unverified', { email: 'ursula@corp.test', email_verified: false });
  const put = await s.api('PUT', '/api/sso-providers/corp', {
    id: 'corp',
    kind: 'oidc',
    displayName: 'Corp SSO',
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    scopes: 'openid email profile groups',
    allowedDomains: ['corp.test'],
    allowedGroups: ['kiln-users'],
    team: 'default',
    role: 'viewer',
  });
  if (put.status !== 200) throw new Error(JSON.stringify(put.json));
});
afterAll(async () => {
  await s?.close();
  await idp?.close();
});

/** Starts a sign-in at Kiln (as the button does) and returns the provider URL to go to. */
async function start(b: CookieBrowser, body: Record<string, string> = {}): Promise<string> {
  const res = await b.send('POST', `${s.url}/api/auth/sso/corp/start`, body);
  expect(res.status).toBe(200);
  return ((await res.json()) as { url: string }).url;
}

/** The provider sent the browser back to `callback`: Kiln's answer, and who the browser is then. */
async function finish(b: CookieBrowser, callback: string) {
  const res = await b.send('GET', callback);
  const location = res.headers.get('location') ?? '';
  const me = await b.send('GET', `${s.url}/api/me`);
  return {
    status: res.status,
    location,
    error: new URL(location, s.url).searchParams.get('error'),
    me: me.status === 200 ? ((await me.json()) as { user: string }).user : null,
  };
}

async function signIn(account: string, body: Record<string, string> = {}) {
  const b = new CookieBrowser();
  const callback = await b.signInAt(await start(b, body), account);
  return { b, callback, ...(await finish(b, callback)) };
}

async function teamRole(name: string) {
  const u = await s.store.identity.userByName(name);
  return u ? s.store.identity.roleInTeam('default', u.id) : null;
}

describe('SSO with a real OpenID Connect provider', () => {
  it('the sign-in page lists the provider, and the admin view never shows its secret', async () => {
    const buttons = await fetch(`${s.url}/api/auth/providers`).then((r) => r.json());
    expect(buttons).toEqual({ providers: [{ id: 'corp', kind: 'oidc', displayName: 'Corp SSO' }] });
    const admin = await s.api('GET', '/api/sso-providers');
    expect(JSON.stringify(admin.json)).not.toContain(idp.clientSecret);
    expect(admin.json).toMatchObject({
      providers: [{ id: 'corp', hasSecret: true, callbackUrl: `${s.url}/api/auth/sso/corp/callback` }],
    });
    // Sealed at rest, too.
    const row = await s.store.identity.getProvider('corp');
    expect(row?.secretEnc).not.toContain(idp.clientSecret);
  });

  it('first sign-in of a person from an allowed e-mail domain creates the user with the configured team role; the next sign-in is the same user', async () => {
    const first = await signIn('u-alice');
    expect(first).toMatchObject({ status: 303, location: '/', me: 'alice' });
    expect(await teamRole('alice')).toBe('viewer');
    const again = await signIn('u-alice');
    expect(again.me).toBe('alice');
    expect(await s.store.identity.userByName('alice-2')).toBeNull();
  });

  it('a person in an allowed IdP group (groups claim) is let in', async () => {
    const r = await signIn('u-erin');
    expect(r.me).toBe('erin');
    expect(await teamRole('erin')).toBe('viewer');
  });

  it('a pending invite matched by verified e-mail makes the invited user, with the invite’s name and role', async () => {
    await s.api('POST', '/api/invites', {
      name: 'bob',
      email: 'bob@gmail.test',
      team: 'default',
      role: 'maintainer',
    });
    const r = await signIn('u-bob');
    expect(r.me).toBe('bob');
    expect(await teamRole('bob')).toBe('maintainer');
    expect((await s.api('GET', '/api/invites')).json).toEqual({ invites: [] });
  });

  it('an invitee who chose SSO on the invite page is created from the invite link whatever their e-mail', async () => {
    const made = (await s.api('POST', '/api/invites', { name: 'carol', team: 'default', role: 'member' }))
      .json as { url: string };
    const token = made.url.split('/invite/')[1] ?? '';
    const r = await signIn('u-carol', { invite: token });
    expect(r.me).toBe('carol');
    expect(await teamRole('carol')).toBe('member');
  });

  it('a person the admin did not allow is refused with a message, and no user is made', async () => {
    const r = await signIn('u-mallory');
    expect(r.status).toBe(303);
    expect(r.location).toMatch(/^\/login\?error=/);
    expect(r.error).toBe(
      'mallory@evil.test may not sign in to Kiln with Corp SSO: ask an admin for an invite',
    );
    expect(r.me).toBeNull();
    expect(await s.store.identity.userByName('mallory')).toBeNull();
  });

  it('an allowed domain counts only for an e-mail address the provider says is verified', async () => {
    const r = await signIn('u-unverified');
    expect(r.error).toMatch(/may not sign in.*did not say ursula@corp.test is verified/);
    expect(r.me).toBeNull();
  });

  it('a callback whose state is not the one this browser started with is refused', async () => {
    const b = new CookieBrowser();
    const callback = new URL(await b.signInAt(await start(b), 'u-alice'));
    callback.searchParams.set('state', 'forged-state');
    const r = await finish(b, callback.toString());
    expect(r.error).toMatch(/Corp SSO sign-in could not be checked.*state/);
    expect(r.me).toBeNull();
  });

  it('a callback without the sign-in cookie (started in another browser) is refused', async () => {
    const b = new CookieBrowser();
    const callback = await b.signInAt(await start(b), 'u-alice');
    const other = new CookieBrowser();
    const r = await finish(other, callback);
    expect(r.error).toMatch(/not started here/);
    expect(r.me).toBeNull();
  });

  it('an ID token whose nonce is not the one Kiln sent is refused', async () => {
    const b = new CookieBrowser();
    const auth = new URL(await start(b));
    auth.searchParams.set('nonce', 'a-nonce-kiln-never-sent');
    const r = await finish(b, await b.signInAt(auth.toString(), 'u-alice'));
    expect(r.error).toMatch(/could not be checked.*nonce/);
    expect(r.me).toBeNull();
  });

  it('a code used once is refused when replayed, even with the original sign-in cookie', async () => {
    const b = new CookieBrowser();
    const callback = await b.signInAt(await start(b), 'u-alice');
    const flowCookie = b.cookie(s.url, 'kiln_sso') ?? '';
    expect((await finish(b, callback)).me).toBe('alice');
    const attacker = new CookieBrowser();
    attacker.setCookie(s.url, 'kiln_sso', flowCookie);
    const r = await finish(attacker, callback);
    expect(r.error).toMatch(/could not be checked.*(invalid_grant|grant)/i);
    expect(r.me).toBeNull();
  });

  it('an expired code is refused', async () => {
    idp.codeTtlSec = 1;
    try {
      const b = new CookieBrowser();
      const callback = await b.signInAt(await start(b), 'u-alice');
      await new Promise((r) => setTimeout(r, 2100));
      const r = await finish(b, callback);
      expect(r.error).toMatch(/could not be checked.*(invalid_grant|grant)/i);
      expect(r.me).toBeNull();
    } finally {
      idp.codeTtlSec = 60;
    }
  });

  it('a provider is configured by an admin only, and an OIDC provider needs an issuer', async () => {
    const noIssuer = await s.api('PUT', '/api/sso-providers/x', {
      id: 'x',
      kind: 'oidc',
      displayName: 'X',
      clientId: 'a',
      clientSecret: 'b',
    });
    expect(noIssuer.status).toBe(400);
    expect(noIssuer.json).toMatchObject({ error: expect.stringMatching(/needs its issuer URL/) });
    const plain = await s.api('PUT', '/api/sso-providers/x', {
      id: 'x',
      kind: 'oidc',
      displayName: 'X',
      issuer: 'http://idp.example.com',
      clientId: 'a',
      clientSecret: 'b',
    });
    expect(plain.json).toMatchObject({ error: 'the issuer http://idp.example.com must use https' });
    const alice = new CookieBrowser();
    await alice.signInAt(await start(alice), 'u-alice').then((c) => finish(alice, c));
    const res = await alice.send('GET', `${s.url}/api/sso-providers`);
    expect(res.status).toBe(403);
  });
});
