import { afterAll, beforeAll, expect, it } from 'vitest';
import { TablePage } from '../contracts/api.js';
import { Experiment, LogPage } from '../contracts/experiments.js';
import { PlotsResponse } from '../contracts/live.js';
import { startRunServer } from '../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  // The local target's agents inherit the server's environment, and so does the demo's training.
  process.env.DEMO_EPOCH_DELAY = '1';
  h = await startRunServer();
}, 120_000);
afterAll(async () => {
  delete process.env.DEMO_EPOCH_DELAY;
  await h?.close();
});

async function row(name: string) {
  const table = TablePage.parse((await h.api('GET', '/api/projects/demo/table')).json);
  return table.rows.find((r) => r.name === name);
}

it('a Kiln run reports DVCLive files live; after done no point is doubled', async () => {
  const created = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'live-tail',
    set: ['train.epochs=8'],
  });
  expect(created.status).toBe(201);

  // Metrics appear in the row while the job is still running.
  let liveMetrics = '';
  for (const until = Date.now() + 150_000; Date.now() < until;) {
    const e = Experiment.parse((await h.api('GET', '/api/projects/demo/experiments/live-tail')).json);
    const r = await row('live-tail');
    if (e.status === 'running' && r && Object.keys(r.metrics).length > 0) {
      liveMetrics = JSON.stringify(r.metrics);
      break;
    }
    expect(['queued', 'starting', 'running']).toContain(e.status);
    await new Promise((res) => setTimeout(res, 200));
  }
  expect(liveMetrics).toContain('acc');

  const done = await h.waitFor('live-tail');
  const logs = LogPage.parse((await h.api('GET', '/api/projects/demo/experiments/live-tail/logs')).json);
  const text = logs.chunks.map((c) => c.text).join('');
  expect(done.status, text).toBe('succeeded');
  expect(text).not.toContain('live metrics:');

  const plots = async (q: string) => {
    const r = PlotsResponse.parse((await h.api('GET', `/api/projects/demo/plots?${q}`)).json);
    const series = r.sources[0]?.series ?? [];
    return new Map(
      series
        .filter((s) => s.path.startsWith('dvclive/plots/metrics/'))
        .map((s) => [s.path, s.rows.map((x) => x.step)]),
    );
  };
  const live = await plots('exp=live-tail');
  const committed = await plots(`rev=${done.resultCommit ?? ''}`);
  expect(live.size).toBeGreaterThan(0);
  for (const [p, steps] of live) {
    expect(new Set(steps).size, p).toBe(steps.length);
    expect(steps, p).toEqual(committed.get(p));
  }
  expect((await row('live-tail'))?.status).toBe('succeeded');
}, 300_000);
