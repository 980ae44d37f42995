import { afterAll, beforeAll, expect, it } from 'vitest';
import { Experiment, LogPage } from '../../contracts/experiments.js';
import { LiveExperimentList } from '../../contracts/live.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { post, waitFetched } from '../../../test/live-test-kit.js';

let s: TestServer;
let repo: TestRepo;
let head = '';

// Writes DVCLive's files a step a second, as a training script using DVCLive would.
const TRAIN = [
  'mkdir -p dvclive/plots/metrics',
  'printf "step\\tacc\\n" > dvclive/plots/metrics/acc.tsv',
  'for i in 0 1 2 3; do',
  '  printf "%s\\t0.%s\\n" $i $i >> dvclive/plots/metrics/acc.tsv',
  '  printf "{\\"step\\": %s, \\"acc\\": 0.%s}" $i $i > dvclive/metrics.json',
  '  sleep 1',
  'done',
].join('\n');

beforeAll(async () => {
  s = await startTestServer();
  await s.store.setSetting('compute.local.concurrency', '2');
  repo = new TestRepo();
  for (const d of ['a', 'b'])
    repo.write(`${d}/params.yaml`, 'lr: 0.1\n').write(`${d}/dvc.yaml`, 'stages:\n  train:\n    cmd: true\n');
  head = repo.commit('two projects in one repository');
  for (const d of ['a', 'b']) {
    const r = await s.api('POST', '/api/projects', { name: `mono-${d}`, source: repo.dir, subdir: d });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    await waitFetched(s, `mono-${d}`);
  }
}, 120_000);
afterAll(async () => s?.close());

async function finished(project: string, name: string): Promise<Experiment> {
  for (const until = Date.now() + 180_000; Date.now() < until;) {
    const e = Experiment.parse((await s.api('GET', `/api/projects/${project}/experiments/${name}`)).json);
    if (['succeeded', 'failed', 'cancelled', 'lost'].includes(e.status)) return e;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${project}/${name} did not finish`);
}

it('two subdir projects of one repository run at once and both get their live metrics', async () => {
  for (const d of ['a', 'b']) {
    const r = await s.api('POST', `/api/projects/mono-${d}/experiments`, {
      rev: 'main',
      name: `exp-${d}`,
      script: TRAIN,
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
  }
  for (const d of ['a', 'b']) {
    const project = `mono-${d}`;
    const e = await finished(project, `exp-${d}`);
    const logs = LogPage.parse(
      (await s.api('GET', `/api/projects/${project}/experiments/exp-${d}/logs`)).json,
    );
    const text = logs.chunks.map((c) => c.text).join('');
    expect(e.status, text).toBe('succeeded');
    expect(text, project).not.toContain('live metrics:');
    const live = LiveExperimentList.parse((await s.api('GET', `/api/projects/${project}/live`)).json);
    const mine = live.experiments.find((x) => x.name === `exp-${d}`);
    expect(mine, project).toBeDefined();
    expect(mine?.step, project).toBe(3);
    expect(
      live.experiments.map((x) => x.name),
      project,
    ).toEqual([`exp-${d}`]);
  }
}, 240_000);

it('a personal token posting for a monorepo picks the project by the start event’s subdir', async () => {
  const event = (type: string, extra: Record<string, unknown> = {}) => ({
    type,
    repo_url: repo.dir,
    baseline_sha: head,
    name: 'by-hand',
    ...extra,
  });
  const vague = await post(s, '/api/live', event('start'));
  expect(vague.status).toBe(409);
  expect(JSON.stringify(vague.json)).toContain('send \\"subdir\\" in the start event');
  expect((await post(s, '/api/live', event('start', { subdir: 'b/' }))).status).toBe(200);
  // Later events carry no subdir: the experiment already reported decides.
  const data = await post(
    s,
    '/api/live',
    event('data', { step: 0, metrics: { 'm.json': { data: { x: 1 } } } }),
  );
  expect(data.status).toBe(200);
  const names = async (p: string) =>
    LiveExperimentList.parse((await s.api('GET', `/api/projects/${p}/live`)).json).experiments.map(
      (x) => x.name,
    );
  expect(await names('mono-b')).toContain('by-hand');
  expect(await names('mono-a')).not.toContain('by-hand');
});
