import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project, TablePage } from '../contracts/api.js';
import { TestRepo } from '../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let s: TestServer;
let repo: TestRepo;

beforeAll(async () => {
  s = await startTestServer();
  repo = new TestRepo();
  repo
    .write('dvc.yaml', 'stages:\n  t:\n    cmd: x\n    params: [train.lr]\n    metrics: [m.json]\n')
    .write('params.yaml', 'train:\n  lr: 0.1\n')
    .write('m.json', '{"acc": 0.5}');
  repo.commit('first');
  repo.write('params.yaml', 'train:\n  lr: 0.2\n').write('m.json', '{"acc": 0.7}');
  repo.commit('second');
  repo.commit('docs [skip studio]');
});
afterAll(async () => {
  await s?.close();
});

async function waitFetched(name: string): Promise<Project> {
  for (let i = 0; i < 100; i++) {
    const r = await s.api('GET', `/api/projects/${name}`);
    const p = Project.parse(r.json);
    if (p.fetch.state === 'ok' || p.fetch.state === 'error') return p;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('fetch never finished');
}

describe('HTTP API on a real server', () => {
  it('answers health without a token', async () => {
    const r = await fetch(`${s.url}/api/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true });
  });

  it('every route but health, sign-in (login, logout, SSO, invite links) refuses a missing or wrong token', async () => {
    const open = new Set([
      'GET /api/health',
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'GET /api/auth/providers',
      'POST /api/auth/sso/:id/start',
      'GET /api/auth/sso/:id/callback',
      'POST /api/invite/open',
      'POST /api/invite/accept',
      // dvc studio login's device flow: started and polled before anyone is signed in.
      'POST /api/device-login',
      'POST /api/device-login/token',
      // Who is signed in: {user: null} to nobody, so the sign-in page asks quietly (a wrong
      // token is still a 401, checked below).
      'GET /api/me',
    ]);
    const guarded = s.routes.filter((r) => r.url.startsWith('/api/') && !open.has(`${r.method} ${r.url}`));
    expect(guarded.length).toBeGreaterThan(8);
    for (const r of guarded) {
      const url = r.url.replace(/:[a-zA-Z]+/g, 'x');
      const variants: Array<Record<string, string>> = [
        {},
        { authorization: 'token kiln_wrong' },
        { authorization: 'Basic abc' },
      ];
      for (const headers of variants) {
        const res = await fetch(s.url + url, { method: r.method, headers });
        expect(res.status, `${r.method} ${r.url} with ${JSON.stringify(headers)}`).toBe(401);
        const body: unknown = await res.json();
        expect(body).toMatchObject({ code: 'unauthorized' });
      }
    }
  });

  it('logs in with a one-time code, then the session cookie works, and the code does not work twice', async () => {
    const { user } = await s.store.ensureAdmin();
    const code = await s.auth.createLoginCode(user.id);
    const res = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^kiln_session=/);
    const me = await fetch(`${s.url}/api/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({
      user: 'admin',
      role: 'admin',
      teams: [{ id: 'default', name: 'default', role: 'owner' }],
    });
    const again = await s.api('POST', '/api/auth/login', { code }, { authorization: '' });
    expect(again.status).toBe(401);
    await fetch(`${s.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    // The ended session is nobody, answered quietly (the sign-in page asks it): no 401.
    const after = await fetch(`${s.url}/api/me`, { headers: { cookie } });
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ user: null });
    // A token sent and not valid is still a 401: a script learns its token is wrong.
    expect((await s.api('GET', '/api/me', undefined, { authorization: 'token kiln_nope' })).status).toBe(401);
  });

  it('creates, lists and revokes access tokens; a revoked token stops working', async () => {
    const created = await s.api('POST', '/api/tokens', { name: 'laptop' });
    expect(created.status).toBe(201);
    const { id, token } = created.json as { id: string; token: string };
    expect(token).toMatch(/^kiln_/);
    const list = await s.api('GET', '/api/tokens');
    expect(JSON.stringify(list.json)).not.toContain(token);
    expect((list.json as { tokens: Array<{ name: string }> }).tokens.map((t) => t.name)).toContain('laptop');
    expect((await s.api('GET', '/api/me', undefined, { authorization: `token ${token}` })).status).toBe(200);
    expect((await s.api('DELETE', `/api/tokens/${id}`)).status).toBe(204);
    expect((await s.api('GET', '/api/me', undefined, { authorization: `token ${token}` })).status).toBe(401);
    expect((await s.api('DELETE', `/api/tokens/${id}`)).status).toBe(404);
  });

  it('bad input gets a 4xx with a clear message', async () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/api/projects', { name: '../etc', source: repo.dir }, 400, /project name/],
      ['POST', '/api/projects', { name: 'ok' }, 400, /body\.source/],
      [
        'POST',
        '/api/projects',
        { name: 'ok', source: path.join(tmpdir(), 'definitely-not-here') },
        400,
        /neither a Git URL nor an existing directory/,
      ],
      // Outside the directories the admin allows (KILN_SOURCE_ROOTS): refused, existing or not.
      ['POST', '/api/projects', { name: 'ok', source: '/definitely/not/here' }, 400, /KILN_SOURCE_ROOTS/],
      ['POST', '/api/projects', { name: 'ok', source: repo.dir, subdir: '../up' }, 400, /relative path/],
      ['POST', '/api/projects', 'not json', 400, /./],
      ['GET', '/api/projects/nope', undefined, 404, /no project named "nope"/],
      ['GET', '/api/projects/nope/table?limit=-1', undefined, 400, /limit/],
      ['POST', '/api/tokens', { name: '' }, 400, /name/],
      ['POST', '/api/auth/login', { token: 'kiln_bogus' }, 401, /invalid/],
    ];
    for (const [method, url, body, status, message] of cases) {
      const r = await s.api(method, url, body);
      expect(r.status, `${method} ${url}`).toBe(status);
      expect((r.json as { error: string }).error, `${method} ${url}`).toMatch(message);
    }
  });

  it('adds a local repository and serves its table, hiding [skip studio] unless all=1', async () => {
    const created = await s.api('POST', '/api/projects', { name: 'local', source: repo.dir });
    expect(created.status).toBe(201);
    const p = await waitFetched('local');
    expect(p.fetch).toMatchObject({ state: 'ok', error: null });
    expect((await s.api('POST', '/api/projects', { name: 'local', source: repo.dir })).status).toBe(409);
    const page = TablePage.parse((await s.api('GET', '/api/projects/local/table')).json);
    expect(page.rows.map((r) => r.message)).toEqual(['second', 'first']);
    expect(page.hiddenCount).toBe(1);
    expect(page.rows[0]?.params['params.yaml']).toEqual({ train: { lr: 0.2 } });
    expect(page.rows[0]?.metrics['m.json']).toEqual({ acc: 0.7 });
    expect(page.columns.map((c) => c.id)).toEqual(['params:params.yaml:train.lr', 'metrics:m.json:acc']);
    const all = TablePage.parse((await s.api('GET', '/api/projects/local/table?all=1&limit=1')).json);
    expect(all.total).toBe(3);
    expect(all.rows).toHaveLength(1);
    expect(all.rows[0]).toMatchObject({ message: 'docs [skip studio]', hidden: true });
  });

  it('reload picks up new commits; a broken source shows the git error plainly', async () => {
    repo.write('params.yaml', 'train:\n  lr: 0.3\n');
    repo.commit('third');
    const r = await s.api('POST', '/api/projects/local/reload');
    expect(r.status).toBe(200);
    const page = TablePage.parse((await s.api('GET', '/api/projects/local/table')).json);
    expect(page.rows[0]?.message).toBe('third');

    const broken = new TestRepo();
    broken.commit('x');
    await s.api('POST', '/api/projects', { name: 'broken', source: broken.dir });
    await waitFetched('broken');
    const { rmSync } = await import('node:fs');
    rmSync(broken.dir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(broken.dir);
    const failed = await s.api('POST', '/api/projects/broken/reload');
    expect(failed.status).toBe(502);
    expect((failed.json as { error: string }).error).toMatch(/git fetch failed/);
    const p = Project.parse((await s.api('GET', '/api/projects/broken')).json);
    expect(p.fetch.state).toBe('error');
    expect(p.fetch.error).toMatch(/not a git repository|does not appear to be a git repository/i);
  });

  it('stores credentials encrypted, never returns them', async () => {
    const r = await s.api('POST', '/api/projects', {
      name: 'secret',
      source: repo.dir,
      credentials: { kind: 'https-token', token: 'ghp_supersecret123' },
    });
    expect(r.status).toBe(201);
    expect(JSON.stringify(r.json)).not.toContain('ghp_supersecret123');
    expect((r.json as { hasCredentials: boolean }).hasCredentials).toBe(true);
    const rec = await s.store.getProject('secret');
    expect(rec?.credentialsEnc).toBeTruthy();
    expect(rec?.credentialsEnc).not.toContain('ghp_supersecret123');
  });
});
