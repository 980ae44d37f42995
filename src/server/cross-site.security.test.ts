import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestRepo } from '../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let s: TestServer;
let cookie = '';
let tried = 0;
let refused = 0;

beforeAll(async () => {
  s = await startTestServer();
  const repo = new TestRepo();
  repo.write('params.yaml', 'lr: 1\n').commit('c');
  await s.addProject('p', repo.dir);
  const { user } = await s.store.ensureAdmin();
  const code = await s.auth.createLoginCode(user.id);
  const res = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  expect(res.status).toBe(200);
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^kiln_session=/);
});
afterAll(async () => {
  await s?.close();
  console.log(
    `cross-site requests: ${tried} state changes on a session cookie from other sites, ${refused} refused`,
  );
});

const evil = { origin: 'http://127.0.0.1:9', 'sec-fetch-site': 'same-site' };

async function send(method: string, url: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(s.url + url, {
    method,
    headers: { cookie, ...headers },
    ...(body ? { body } : {}),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as { error?: string } | null };
}

it('a page on another port cannot use the session cookie to reload a project or mint tokens', async () => {
  const attempts: Array<[string, string, Record<string, string>, string?]> = [
    ['POST', '/api/projects/p/reload', { ...evil, 'content-type': 'text/plain' }],
    ['POST', '/api/agents/tokens', evil],
    ['POST', '/api/tokens', { ...evil, 'content-type': 'text/plain' }, '{"name": "x"}'],
    ['DELETE', '/api/projects/p', { origin: 'http://evil.example' }],
    ['POST', '/api/projects/p/reload', { 'sec-fetch-site': 'cross-site' }],
  ];
  for (const [method, url, headers, body] of attempts) {
    tried++;
    const r = await send(method, url, headers, body);
    if (r.status === 403) refused++;
    expect(r.status, `${method} ${url}`).toBe(403);
    expect(r.json?.error).toContain('from another site');
  }
  expect((await s.api('GET', '/api/projects/p')).status).toBe(200);
});

it('Kiln’s own pages, reads and token clients still work', async () => {
  const own = { origin: s.url, 'sec-fetch-site': 'same-origin' };
  expect((await send('POST', '/api/projects/p/reload', own)).status).toBe(200);
  expect((await send('POST', '/api/projects/p/reload', { origin: s.url })).status).toBe(200);
  expect((await send('GET', '/api/projects/p', evil)).status).toBe(200);
  // A script with its own token carries no ambient authority: where it runs does not matter.
  expect((await s.api('POST', '/api/projects/p/reload', undefined, evil)).status).toBe(200);
});
