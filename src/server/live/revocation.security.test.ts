import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestRepo } from '../../../test/test-repo.js';
import { runWithToken } from '../../../test/security-kit.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { post, waitFetched } from '../../../test/live-test-kit.js';

let s: TestServer;
let repo: TestRepo;
let head = '';
let checked = 0;
let honoured = 0;

beforeAll(async () => {
  s = await startTestServer();
  repo = new TestRepo();
  head = repo.write('params.yaml', 'lr: 1\n').commit('first');
  expect((await s.api('POST', '/api/projects', { name: 'p', source: repo.dir })).status).toBe(201);
  await waitFetched(s, 'p');
});
afterAll(async () => {
  await s?.close();
  console.log(`revocation: ${checked} revoked tokens tried at once, ${honoured} still let in`);
});

const start = (name: string) => ({ type: 'start', repo_url: repo.dir, baseline_sha: head, name });
const hook = () => ({ repo_url: repo.dir, refs: { pushed: [], removed: [] } });

async function refusedAtOnce(token: string): Promise<void> {
  for (const [url, body] of [
    ['/api/live', start('after')],
    ['/webhook/dvc', hook()],
  ] as const) {
    checked++;
    const r = await post(s, url, body, token);
    if (r.status !== 401) honoured++;
    expect(r.status, url).toBe(401);
  }
}

it('a personal token revoked on the tokens page stops working on /api/live and /webhook/dvc at once', async () => {
  const created = await s.api('POST', '/api/tokens', { name: 'dvclive' });
  const { id, token } = created.json as { id: string; token: string };
  expect((await post(s, '/api/live', start('before'), token)).status).toBe(200);
  expect((await post(s, '/webhook/dvc', hook(), token)).status).toBe(200);
  expect((await s.api('DELETE', `/api/tokens/${id}`)).status).toBe(204);
  await refusedAtOnce(token);
});

it('a run token revoked at the run’s end stops working at once', async () => {
  const { token, tokenId } = await runWithToken(s, 'p', 'short', head);
  expect((await post(s, '/api/live', start('short'), token)).status).toBe(200);
  await s.store.revokeToken(tokenId, (await s.store.ensureAdmin()).user.id);
  await refusedAtOnce(token);
});
