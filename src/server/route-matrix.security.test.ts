import { afterAll, beforeAll, expect, it } from 'vitest';
import { runWithToken } from './security-kit.js';
import { TestRepo } from './table/test-repo.js';
import { startTestServer, type TestServer } from './test-server.js';

let s: TestServer;
const creds: Record<string, string | null> = { anonymous: null, 'bad token': 'kiln_not-a-real-token-at-all' };

beforeAll(async () => {
  s = await startTestServer();
  const { user } = await s.store.ensureAdmin();
  const repo = new TestRepo();
  await s.addProject('p', repo.dir.length ? (repo.commit('c'), repo.dir) : repo.dir);
  creds['run token'] = (await runWithToken(s, 'p', 'x', 'a'.repeat(40))).token;
  creds['agent token'] = (await s.auth.createToken(user.id, 'agent', 'agent')).token;
  creds['admin token'] = s.token;
});
afterAll(async () => s?.close());

/** Public routes that check their own credentials, by what they let in. */
const SELF: Record<string, (cred: string) => 401 | 403 | 'in'> = {
  // DVCLive's protocol: a person's token or a run's.
  '/api/live': (c) => (c === 'anonymous' || c === 'bad token' ? 401 : c === 'agent token' ? 403 : 'in'),
  '/webhook/dvc': (c) => (c === 'anonymous' || c === 'bad token' ? 401 : c === 'agent token' ? 403 : 'in'),
  // Only a machine's bootstrap token, which none of these is.
  '/api/agents/exchange': () => 401,
};

/** What each credential must get from a route declaring `auth`: `in` = past authentication. */
function expected(auth: string, cred: string, url: string): 401 | 403 | 'in' {
  const self = SELF[url];
  if (self) return self(cred);
  if (auth === 'public') return 'in';
  if (cred === 'anonymous' || cred === 'bad token') return 401;
  if (auth === 'agent') return cred === 'agent token' ? 'in' : 403;
  return cred === 'admin token' ? 'in' : 403;
}

it('every route of the route table answers each credential as its declared permission says', async () => {
  const routes = s.routes.filter((r) => r.auth !== undefined);
  expect(routes.length).toBeGreaterThan(50);
  const unexpected: string[] = [];
  let cases = 0;
  for (const r of routes) {
    // Parameters name nothing that exists: a route past authentication answers 4xx, no side effect.
    const url = r.url.replace(/:[A-Za-z]+/g, 'nope').replace('*', 'nope');
    for (const [cred, token] of Object.entries(creds)) {
      cases++;
      const res = await fetch(s.url + url, {
        method: r.method,
        headers: token ? { authorization: `token ${token}` } : {},
        signal: AbortSignal.timeout(10_000),
      }).catch((err: unknown) => ({ status: 0, text: async () => String(err) }));
      const body = await res.text().catch(() => '');
      const want = expected(r.auth ?? '', cred, r.url);
      const ok =
        res.status > 0 &&
        res.status < 500 &&
        (want === 'in' ? res.status !== 401 && res.status !== 403 : res.status === want);
      if (!ok)
        unexpected.push(`${r.method} ${r.url} [${r.auth}] as ${cred}: ${res.status} ${body.slice(0, 120)}`);
    }
  }
  console.log(
    `route matrix: ${routes.length} routes × ${Object.keys(creds).length} credentials = ${cases} cases, ${unexpected.length} unexpected`,
  );
  expect(unexpected).toEqual([]);
}, 300_000);
