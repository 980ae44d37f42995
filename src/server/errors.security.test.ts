import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './app.js';
import { TestRepo } from '../../test/test-repo.js';

let s: RunningServer;
let token = '';
let head = '';
let repo: TestRepo;
const lines: string[] = [];
let deepCases = 0;
let deep4xx = 0;

async function call(method: string, url: string, body?: string) {
  const res = await fetch(s.url + url, {
    method,
    headers: { authorization: `token ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: string; requestId?: string };
  return { status: res.status, json, header: res.headers.get('x-request-id') };
}

beforeAll(async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'kiln-errors-'));
  s = await startServer(
    // Its fixture repository is a temp dir.
    { home, port: 0, host: '127.0.0.1', fetchIntervalSec: 0, createDemo: false, sourceRoots: [tmpdir()] },
    () => undefined,
    { write: (l) => void lines.push(l) },
  );
  const { user } = await s.store.ensureAdmin();
  token = (await s.auth.createToken(user.id, 't')).token;
  repo = new TestRepo();
  head = repo
    .write('params.yaml', 'lr: 1\n')
    .write('dvc.yaml', 'stages:\n  t:\n    cmd: "true"\n')
    .commit('c');
  expect((await call('POST', '/api/projects', JSON.stringify({ name: 'p', source: repo.dir }))).status).toBe(
    201,
  );
  expect((await call('POST', '/api/projects/p/reload')).status).toBe(200);
});
afterAll(async () => {
  await s?.close();
  console.log(`deep input: ${deepCases} 100,000-deep values sent, ${deep4xx} answered 4xx`);
});

describe('failures are logged with the id their reply names, never with a secret', () => {
  it('a 500 answers its request id and the log has the error under that id, without the token', async () => {
    await s.store.updateProject('p', { settingsJson: '{not json' });
    const r = await call('GET', '/api/projects/p');
    await s.store.updateProject('p', { settingsJson: '{}' });
    expect(r.status).toBe(500);
    expect(r.json.requestId).toMatch(/^[0-9a-f]{12}$/);
    expect(r.header).toBe(r.json.requestId);
    expect(r.json.error).toContain(`request ${r.json.requestId}`);
    const logged = lines.map((l) => JSON.parse(l) as { level: number; reqId?: string; msg: string });
    const mine = logged.find((l) => l.reqId === r.json.requestId);
    expect(mine).toMatchObject({ level: 50, msg: 'unhandled error' });
    expect(JSON.stringify(mine)).toContain('JSON');
    expect(lines.join('\n')).not.toContain(token);
  });

  it('every 4xx names its request too', async () => {
    const r = await call('POST', '/api/projects', '{"name": ');
    expect(r.status).toBe(400);
    expect(r.json.requestId).toBe(r.header);
    const missing = await fetch(`${s.url}/api/nope`);
    expect(((await missing.json()) as { requestId?: string }).requestId).toBe(
      missing.headers.get('x-request-id'),
    );
  });

  it('a 100,000-deep value is a 400 with a clear message wherever it is sent', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const cases: Array<[string, string, string]> = [
      ['POST', '/api/projects/p/experiments', `{"rev": "main", "name": "d", "set": [], "params": ${deep}}`],
      [
        'POST',
        '/api/projects/p/experiments',
        JSON.stringify({ rev: 'main', name: 'd', set: [`lr=${'['.repeat(4990)}${']'.repeat(4990)}`] }),
      ],
      ['PATCH', '/api/projects/p', `{"settings": ${deep}}`],
      [
        'POST',
        '/api/live',
        `{"type": "start", "repo_url": ${JSON.stringify(repo.dir)}, "baseline_sha": "${head}", "name": "x", "params": {"params.yaml": {"data": ${deep}}}}`,
      ],
      [
        'POST',
        '/api/projects',
        `{"name": "q", "source": "x", "settings": ${deep.replace(/\[/g, '{"a":').replace(/\]/g, '}').replace('{"a":}', '1')}}`,
      ],
    ];
    for (const [method, url, body] of cases) {
      deepCases++;
      const r = await call(method, url, body);
      if (r.status >= 400 && r.status < 500) deep4xx++;
      expect(r.status, `${method} ${url}: ${JSON.stringify(r.json)}`).toBe(400);
      expect(r.json.error, url).toMatch(/deep|nest|is a number/);
    }
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
  });
});
