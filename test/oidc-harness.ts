/**
 * A real OpenID provider for tests: oidc-provider (a certified implementation) on 127.0.0.1,
 * with one confidential client for Kiln's callback and a login/consent interaction a test
 * drives over HTTP, choosing which account signs in. Not a fake: the authorization, token,
 * userinfo, JWKS and discovery endpoints are the library's own.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  email: string;
  email_verified?: boolean;
  preferred_username?: string;
  groups?: string[];
}

export interface OidcHarness {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Seconds an authorization code lives (oidc-provider's default is 60). */
  codeTtlSec: number;
  close(): Promise<void>;
}

export async function startOidcProvider(redirectUris: string[]): Promise<OidcHarness> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const harness: OidcHarness = {
    issuer,
    clientId: 'kiln',
    clientSecret: 'kiln-client-secret-for-tests',
    accounts: new Map(),
    codeTtlSec: 60,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: harness.clientId,
        client_secret: harness.clientSecret,
        redirect_uris: redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    findAccount: (_ctx: unknown, id: string) => {
      const a = harness.accounts.get(id);
      if (!a) return undefined;
      return { accountId: id, claims: () => ({ sub: id, email_verified: true, ...a }) };
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: { AuthorizationCode: () => harness.codeTtlSec },
    cookies: { keys: ['oidc-harness-cookie-key'] },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const m = /^\/interaction\/([^/?]+)(?:\/(login|confirm))?/.exec(req.url ?? '');
    if (!m) return void callback(req, res);
    void interact(provider, req, res, m[2] ?? null, new URL(req.url ?? '/', issuer)).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  return harness;
}

/**
 * GET /interaction/:uid → `{prompt}`; POST …/login?as=ACCOUNT signs that account in;
 * POST …/confirm grants what the client asked for. Each POST answers with oidc-provider's redirect.
 */
async function interact(
  provider: Provider,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  step: string | null,
  url: URL,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (step === null) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
    return;
  }
  if (step === 'login') {
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: url.searchParams.get('as') ?? '' } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  const grant = new provider.Grant({
    accountId: details.session?.accountId ?? '',
    clientId: String(details.params.client_id),
  });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

/** A cookie-keeping HTTP client that follows no redirect by itself, as a test drives a browser's steps. */
export class CookieBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  private jar(url: string): Map<string, string> {
    const host = new URL(url).host;
    let j = this.jars.get(host);
    if (!j) this.jars.set(host, (j = new Map()));
    return j;
  }

  cookie(url: string, name: string): string | undefined {
    return this.jar(url).get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    this.jar(url).set(name, value);
  }

  async send(method: string, url: string, body?: unknown): Promise<Response> {
    const jar = this.jar(url);
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      const expired =
        attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()) ||
        attrs.some((a) => /^\s*max-age=0\b/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /**
   * From a provider's authorization URL to the URL it sends the browser back to (not followed):
   * signs in as `account` and consents at the interaction pages on the way.
   */
  async signInAt(authorizationUrl: string, account: string): Promise<string> {
    let url = authorizationUrl;
    const origin = new URL(authorizationUrl).origin;
    for (let hop = 0; hop < 20; hop++) {
      const res = await this.send('GET', url);
      if (res.status >= 300 && res.status < 400) {
        const next = new URL(res.headers.get('location') ?? '', url).toString();
        if (!next.startsWith(origin)) return next;
        url = next;
        continue;
      }
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
      const { prompt } = (await res.json()) as { prompt: string };
      const step = prompt === 'login' ? `login?as=${encodeURIComponent(account)}` : 'confirm';
      const done = await this.send('POST', `${url.replace(/\?.*$/, '')}/${step}`);
      url = new URL(done.headers.get('location') ?? '', url).toString();
    }
    throw new Error('the provider never sent the browser back');
  }
}
