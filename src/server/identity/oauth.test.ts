import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { CookieBrowser } from '../../../test/oidc-harness.js';

interface FakeUser {
  id: number;
  login: string;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

/**
 * A fake of GitHub's and GitLab's documented OAuth web flow and user endpoints (they cannot run
 * here): /login/oauth/authorize + /login/oauth/access_token + /api/v3/user(/emails) as GitHub
 * (Enterprise Server) documents them, /oauth/authorize + /oauth/token + /api/v4/user as GitLab
 * does. It checks the client's secret, the redirect URI and the PKCE verifier; a code works once.
 */
async function startFakeForge(clientId: string, clientSecret: string) {
  const codes = new Map<string, { user: FakeUser; challenge: string; redirect: string }>();
  const tokens = new Map<string, FakeUser>();
  let next: FakeUser | null = null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/login/oauth/authorize' || url.pathname === '/oauth/authorize') {
      const code = randomBytes(10).toString('hex');
      if (!next || url.searchParams.get('client_id') !== clientId) return json(400, { error: 'bad request' });
      codes.set(code, {
        user: next,
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirect: url.searchParams.get('redirect_uri') ?? '',
      });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return void res.end();
    }
    if (url.pathname === '/login/oauth/access_token' || url.pathname === '/oauth/token') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const basic = Buffer.from(
          (req.headers.authorization ?? '').replace(/^Basic /, ''),
          'base64',
        ).toString();
        const github = url.pathname.startsWith('/login');
        const refuse = () =>
          github
            ? json(200, {
                error: 'bad_verification_code',
                error_description: 'The code passed is incorrect or expired.',
              })
            : json(400, {
                error: 'invalid_grant',
                error_description: 'The provided authorization grant is invalid.',
              });
        if (basic !== `${clientId}:${clientSecret}`) return json(401, { error: 'invalid_client' });
        const issued = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!issued || issued.challenge !== challenge || issued.redirect !== form.get('redirect_uri'))
          return refuse();
        const token = randomBytes(10).toString('hex');
        tokens.set(token, issued.user);
        json(200, {
          access_token: token,
          token_type: 'bearer',
          scope: github ? 'read:user,user:email' : 'read_user',
        });
      });
      return;
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/api/v3/user') return json(200, { login: user.login, id: user.id, email: null });
    if (url.pathname === '/api/v3/user/emails')
      return json(
        200,
        user.emails.map((e) => ({ ...e, visibility: e.primary ? 'private' : null })),
      );
    const primary = user.emails.find((e) => e.primary);
    if (url.pathname === '/api/v4/user')
      return json(200, {
        id: user.id,
        username: user.login,
        email: primary?.email,
        confirmed_at: primary?.verified ? '2026-01-01T00:00:00Z' : null,
      });
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    as(user: FakeUser) {
      next = user;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let s: TestServer;
let forge: Awaited<ReturnType<typeof startFakeForge>>;

beforeAll(async () => {
  s = await startTestServer();
  forge = await startFakeForge('kiln-app', 'kiln-app-secret');
  for (const kind of ['github', 'gitlab'] as const) {
    const put = await s.api('PUT', `/api/sso-providers/${kind}`, {
      id: kind,
      kind,
      displayName: kind === 'github' ? 'GitHub' : 'GitLab',
      issuer: forge.base,
      clientId: 'kiln-app',
      clientSecret: 'kiln-app-secret',
      allowedDomains: ['corp.test'],
      team: 'default',
      role: 'member',
    });
    if (put.status !== 200) throw new Error(JSON.stringify(put.json));
  }
});
afterAll(async () => {
  await s?.close();
  await forge?.close();
});

async function signIn(provider: string, user: FakeUser, tamper?: (callback: URL) => void) {
  forge.as(user);
  const b = new CookieBrowser();
  const started = await b.send('POST', `${s.url}/api/auth/sso/${provider}/start`, {});
  const { url } = (await started.json()) as { url: string };
  const callback = new URL(await b.signInAt(url, user.login));
  tamper?.(callback);
  const flow = b.cookie(s.url, 'kiln_sso');
  const res = await b.send('GET', callback.toString());
  const me = await b.send('GET', `${s.url}/api/me`);
  return {
    callback: callback.toString(),
    flow,
    error: new URL(res.headers.get('location') ?? '', s.url).searchParams.get('error'),
    me: me.status === 200 ? ((await me.json()) as { user: string }).user : null,
  };
}

describe("github oauth (fake of GitHub's documented token and user endpoints)", () => {
  const gina = {
    id: 101,
    login: 'gina',
    emails: [{ email: 'gina@corp.test', primary: true, verified: true }],
  };

  it('a GitHub user whose verified primary e-mail is in an allowed domain is created and signed in; later sign-ins find them by GitHub id', async () => {
    expect((await signIn('github', gina)).me).toBe('gina');
    expect((await signIn('github', { ...gina, login: 'gina-renamed' })).me).toBe('gina');
  });

  it('an unverified primary e-mail does not count for the allowed domain', async () => {
    const r = await signIn('github', {
      id: 102,
      login: 'ivan',
      emails: [{ email: 'ivan@corp.test', primary: true, verified: false }],
    });
    expect(r.me).toBeNull();
    expect(r.error).toMatch(
      /ivan@corp.test may not sign in to Kiln with GitHub.*not say ivan@corp.test is verified/,
    );
  });

  it('a forged state and a replayed code are refused', async () => {
    const forged = await signIn('github', gina, (u) => u.searchParams.set('state', 'forged'));
    expect(forged.me).toBeNull();
    expect(forged.error).toMatch(/GitHub sign-in could not be checked \(the state sent back does not match/);

    const first = await signIn('github', gina);
    expect(first.me).toBe('gina');
    const replay = new CookieBrowser();
    replay.setCookie(s.url, 'kiln_sso', first.flow ?? '');
    // The cookie was cleared by the first callback; a replay brings the old one back.
    const res = await replay.send('GET', first.callback);
    const error = new URL(res.headers.get('location') ?? '', s.url).searchParams.get('error');
    expect(error ?? '').toMatch(/could not be checked.*(bad_verification_code|sign-in code)/);
    // No session came of it: /api/me answers that nobody is signed in.
    expect(await (await replay.send('GET', `${s.url}/api/me`)).json()).toEqual({ user: null });
  });
});

describe("gitlab oauth (fake of GitLab's documented token and user endpoints)", () => {
  it('a GitLab user with a pending invite for their e-mail gets the invited name and role', async () => {
    await s.api('POST', '/api/invites', {
      name: 'hanna',
      email: 'hanna@else.test',
      team: 'default',
      role: 'viewer',
    });
    const r = await signIn('gitlab', {
      id: 7,
      login: 'hk',
      emails: [{ email: 'hanna@else.test', primary: true, verified: true }],
    });
    expect(r.me).toBe('hanna');
    const hanna = await s.store.identity.userByName('hanna');
    expect(await s.store.identity.roleInTeam('default', hanna?.id ?? '')).toBe('viewer');
  });

  it('a GitLab user nobody allowed is refused', async () => {
    const r = await signIn('gitlab', {
      id: 8,
      login: 'zed',
      emails: [{ email: 'zed@else.test', primary: true, verified: true }],
    });
    expect(r.me).toBeNull();
    expect(r.error).toBe('zed@else.test may not sign in to Kiln with GitLab: ask an admin for an invite');
  });
});
