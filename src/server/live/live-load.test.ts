import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { waitFetched } from '../../../test/live-test-kit.js';
import { TestRepo } from '../../../test/test-repo.js';
import { Agent, request } from 'node:http';

let s: TestServer;
let repoDir = '';
const SHA = 'c'.repeat(40);

beforeAll(async () => {
  s = await startTestServer();
  const repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  repo.commit('first');
  repoDir = repo.dir;
  expect((await s.api('POST', '/api/projects', { name: 'load', source: repo.dir })).status).toBe(201);
  await waitFetched(s, 'load');
});
afterAll(async () => {
  await s?.close();
});

/** A keep-alive POST on loopback, as a DVCLive process with a requests session would send it. */
function postKeepAlive(agent: Agent, url: URL, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          authorization: `token ${token}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('live ingest under load', () => {
  // How fast is the bench's business (live.ingest); here only completeness counts.
  it('50 concurrent experiments × 1,000 steps: every point stored exactly once', async () => {
    const EXPS = 50;
    const STEPS = 1000;
    const url = new URL('/api/live', s.url);
    const agent = new Agent({ keepAlive: true, maxSockets: EXPS });
    const writer = async (i: number) => {
      for (let step = 0; step < STEPS; step++) {
        const body = JSON.stringify({
          type: 'data',
          repo_url: repoDir,
          baseline_sha: SHA,
          name: `load-${i}`,
          client: 'dvclive',
          step,
          metrics: { 'dvclive/metrics.json': { data: { loss: 1 / (step + 1), step } } },
          plots: { 'dvclive/plots/metrics/loss.tsv': { data: [{ step, loss: 1 / (step + 1) }] } },
        });
        const status = await postKeepAlive(agent, url, s.token, body);
        if (status !== 200) throw new Error(`step ${step} of load-${i} answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: EXPS }, (_, i) => writer(i)));
    agent.destroy();
    const exps = await s.store.live.list('load');
    expect(exps).toHaveLength(EXPS);
    for (const e of exps) {
      const points = await s.store.live.points(e.id);
      expect(points).toHaveLength(STEPS);
      expect(new Set(points.map((p) => p.step)).size).toBe(STEPS);
    }
  }, 300_000);
});
