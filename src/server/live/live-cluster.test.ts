import { afterAll, expect, it } from 'vitest';
import { LiveExperimentList } from '../../contracts/live.js';
import { post } from '../../../test/live-test-kit.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { postgres, suiteRequires } from '../../../test/services.js';
import { freshDatabase } from '../../../test/cluster.js';

/**
 * Two servers on one PostgreSQL behind a balancer that spreads one run's live posts over both:
 * what the table shows of the run is its last step, whichever server took which post. Real
 * servers, real PostgreSQL.
 */
suiteRequires(postgres);
const servers: TestServer[] = [];
let drop: () => Promise<void> = async () => undefined;
afterAll(async () => {
  for (const s of servers) await s.close();
  await drop();
}, 60_000);

it("a run's live posts spread over two servers: its metrics and step are the last ones sent", async () => {
  const db = await freshDatabase('kiln_live');
  drop = db.drop;
  const a = await startTestServer({ databaseUrl: db.url });
  const b = await startTestServer({ databaseUrl: db.url });
  servers.push(a, b);
  const repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  const head = repo.commit('first');
  await a.addProject('p', repo.dir);
  const base = { repo_url: repo.dir, baseline_sha: head, name: 'spread', client: 'dvclive' };
  const data = (step: number) => ({
    type: 'data',
    ...base,
    step,
    metrics: { 'dvclive/metrics.json': { data: { step, loss: 1 / (step + 1) } } },
    plots: { 'dvclive/plots/metrics/loss.tsv': { data: [{ step, loss: 1 / (step + 1) }] } },
  });
  const send = async (s: TestServer, body: unknown) =>
    expect((await post(s, '/api/live', body)).status, JSON.stringify(body)).toBe(200);
  // A takes the start and the first steps, B the later ones, A the end.
  await send(a, { type: 'start', ...base });
  for (let step = 0; step < 3; step++) await send(a, data(step));
  for (let step = 3; step < 6; step++) await send(b, data(step));
  await send(a, { type: 'done', ...base });
  for (const s of [a, b]) {
    const list = LiveExperimentList.parse((await s.api('GET', '/api/projects/p/live')).json);
    const run = list.experiments.find((x) => x.name === 'spread');
    expect(run?.step, s.url).toBe(5);
    expect(run?.status).toBe('succeeded');
    expect(run?.row.metrics['dvclive/metrics.json']).toMatchObject({ step: 5, loss: 1 / 6 });
  }
}, 120_000);
