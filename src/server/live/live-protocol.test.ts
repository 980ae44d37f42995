import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveExperimentList, PlotsResponse } from '../../contracts/live.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { loadFixtures, post, waitFetched, type FixtureRequest } from '../../../test/live-test-kit.js';

let s: TestServer;
const fx = loadFixtures();
const fixture = (name: string): FixtureRequest => {
  const f = fx.get(name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
};
const body = (name: string, patch: Record<string, unknown> = {}) => ({ ...fixture(name).body, ...patch });

beforeAll(async () => {
  s = await startTestServer();
  // The fixtures say git@example.invalid:org/repo.git; the project spells it another usual way.
  expect(
    (await s.api('POST', '/api/projects', { name: 'fx', source: 'https://example.invalid/org/repo' })).status,
  ).toBe(201);
  await waitFetched(s, 'fx');
});
afterAll(async () => {
  await s?.close();
});

async function liveList(project = 'fx') {
  return LiveExperimentList.parse((await s.api('GET', `/api/projects/${project}/live`)).json).experiments;
}

describe('POST /api/live: the recorded DVCLive requests', () => {
  it('replays start, data (metrics), data (plots), done with 200 each', async () => {
    for (const name of ['start', 'data-1', 'data-2', 'done']) {
      const f = fixture(name);
      expect(f.path).toBe('/api/live');
      const r = await post(s, f.path, f.body);
      expect(r.status, `${name}: ${JSON.stringify(r.json)}`).toBe(200);
    }
    const [exp] = await liveList();
    expect(exp).toMatchObject({
      name: 'exp-local-test',
      baseline: 'ffffffff0123456789abcdef0123456789abcdef',
      status: 'succeeded',
      detached: true,
      step: 3,
      message: 'Local capture test',
      experimentRev: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    });
    expect(exp?.row.metrics).toEqual({ 'dvclive/metrics.json': { loss: 0.2 } });
    expect(exp?.row.params).toEqual({ 'params.yaml': { epochs: 5, lr: 0.01 } });
    const plots = PlotsResponse.parse((await s.api('GET', '/api/projects/fx/plots?exp=exp-local-test')).json);
    const src = plots.sources[0];
    expect(src?.series).toEqual([
      {
        path: 'dvclive/plots/metrics/loss.tsv',
        rows: [
          { loss: 1.0, step: 0 },
          { loss: 0.25, step: 3 },
        ],
      },
    ]);
    expect(src?.images).toEqual([
      { path: 'dvclive/plots/images/sample.png', mime: 'image/png', base64: 'iVBORw0KGgo=' },
    ]);
    expect(src?.definitions.map((d) => [d.id, d.template, d.x])).toEqual([
      ['dvclive/plots/metrics/loss.tsv', 'linear', 'step'],
    ]);
  });

  it('a duplicate post and a resent step replace rows, never duplicate them', async () => {
    const name = 'dup';
    const rows = (step: number, loss: number) => ({
      'dvclive/plots/metrics/loss.tsv': { data: [{ step, loss }] },
    });
    for (const [step, loss] of [
      [0, 1],
      [1, 0.5],
      [1, 0.5],
      [1, 0.4],
      [0, 0.9],
    ] as const)
      expect(
        (await post(s, '/api/live', body('data-2', { name, step, plots: rows(step, loss) }))).status,
      ).toBe(200);
    const plots = PlotsResponse.parse((await s.api('GET', `/api/projects/fx/plots?exp=${name}`)).json);
    expect(plots.sources[0]?.series[0]?.rows).toEqual([
      { step: 0, loss: 0.9 },
      { step: 1, loss: 0.4 },
    ]);
  });

  it('out-of-order steps are stored in step order and metrics do not roll back', async () => {
    const name = 'ooo';
    for (const step of [5, 2, 9, 0]) {
      const metrics = { 'dvclive/metrics.json': { data: { step, acc: step / 10 } } };
      const plots = {
        'dvclive/dvc.yaml::dvclive/plots/metrics/acc.tsv': { data: [{ step, acc: step / 10 }] },
      };
      expect((await post(s, '/api/live', body('data-1', { name, step, metrics, plots }))).status).toBe(200);
    }
    const exp = (await liveList()).find((x) => x.name === name);
    expect(exp?.step).toBe(9);
    expect(exp?.row.metrics['dvclive/metrics.json']).toEqual({ step: 9, acc: 0.9 });
    const plots = PlotsResponse.parse((await s.api('GET', `/api/projects/fx/plots?exp=${name}`)).json);
    expect(plots.sources[0]?.series[0]?.rows.map((r) => r.step)).toEqual([0, 2, 5, 9]);
    expect(plots.sources[0]?.series[0]?.path).toBe('dvclive/plots/metrics/acc.tsv');
  });

  it('NaN and Infinity sent as strings stay strings', async () => {
    const name = 'nan';
    const plots = {
      'dvclive/plots/metrics/loss.tsv': {
        data: [
          { step: 0, loss: 'NaN' },
          { step: 1, loss: 'inf' },
          { step: 2, loss: '-Infinity' },
        ],
      },
    };
    const metrics = { 'dvclive/metrics.json': { data: { loss: 'NaN' } } };
    expect((await post(s, '/api/live', body('data-2', { name, step: 2, plots, metrics }))).status).toBe(200);
    const got = PlotsResponse.parse((await s.api('GET', `/api/projects/fx/plots?exp=${name}`)).json);
    expect(got.sources[0]?.series[0]?.rows.map((r) => r.loss)).toEqual(['NaN', 'inf', '-Infinity']);
    expect((await liveList()).find((x) => x.name === name)?.row.metrics).toEqual({
      'dvclive/metrics.json': { loss: 'NaN' },
    });
  });

  it('plots before start: a data event creates the experiment, a later start keeps its points', async () => {
    const name = 'early';
    expect((await post(s, '/api/live', body('data-2', { name }))).status).toBe(200);
    expect((await post(s, '/api/live', body('start', { name }))).status).toBe(200);
    const got = PlotsResponse.parse((await s.api('GET', `/api/projects/fx/plots?exp=${name}`)).json);
    expect(got.sources[0]?.series[0]?.rows).toHaveLength(2);
    expect((await liveList()).find((x) => x.name === name)?.status).toBe('running');
  });
});

describe('POST /api/live: refusals with a JSON detail', () => {
  const expectDetail = (r: { status: number; json: unknown }, status: number, detail: RegExp) => {
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ detail: expect.stringMatching(detail) });
  };

  it('missing step → 400', async () => {
    const { step: _step, ...noStep } = body('data-1');
    expectDetail(await post(s, '/api/live', noStep), 400, /step/);
  });
  it('bad sha → 400', async () => {
    expectDetail(await post(s, '/api/live', body('start', { baseline_sha: 'abc123' })), 400, /sha/);
    expectDetail(await post(s, '/api/live', body('done', { experiment_rev: 'z'.repeat(40) })), 400, /sha/);
  });
  it('unknown type and malformed JSON → 400', async () => {
    expectDetail(await post(s, '/api/live', body('start', { type: 'interrupt' })), 400, /type/);
    expectDetail(await post(s, '/api/live', '{"type": "start",'), 400, /JSON|Unexpected|Expected/i);
  });
  it('unknown repo → 404', async () => {
    expectDetail(
      await post(s, '/api/live', body('start', { repo_url: 'git@example.invalid:other/repo.git' })),
      404,
      /other\/repo/,
    );
  });
  it('missing and wrong token → 401', async () => {
    expectDetail(await post(s, '/api/live', body('start'), null), 401, /token/i);
    expectDetail(await post(s, '/api/live', body('start'), 'dummy-test-token'), 401, /token/i);
  });
  it('a token of another scope → 403', async () => {
    const { user } = await s.store.ensureAdmin();
    const agent = await s.auth.createToken(user.id, 'agent', 'agent');
    expectDetail(await post(s, '/api/live', body('start'), agent.token), 403, /token/);
  });
  it('a 31 MB body → 413', async () => {
    const big = 'A'.repeat(31 * 1024 * 1024);
    expectDetail(
      await post(s, '/api/live', body('data-2', { plots: { 'a.png': { image: big } } })),
      413,
      /30\.0 MB a request/,
    );
  });
  it('a plot over 10 MB and over 200 plots → 413', async () => {
    const img = 'A'.repeat(11 * 1024 * 1024);
    expectDetail(
      await post(s, '/api/live', body('data-2', { plots: { 'a.png': { image: img } } })),
      413,
      /a plot/,
    );
    const many = Object.fromEntries(
      Array.from({ length: 201 }, (_, i) => [`p${i}.tsv`, { data: [{ step: 0, v: i }] }]),
    );
    expectDetail(await post(s, '/api/live', body('data-2', { plots: many })), 413, /200 plots/);
  });
  it('a body over the server limit → 413 with detail', async () => {
    const huge = JSON.stringify(
      body('data-2', { plots: { 'a.png': { image: 'A'.repeat(33 * 1024 * 1024) } } }),
    );
    expectDetail(await post(s, '/api/live', huge), 413, /limit/);
  });
});

describe('stale and delete', () => {
  it('an experiment with no events for the stale time shows stale, and can be deleted', async () => {
    // Staleness is judged on the service's clock, moved here by hand: a busy machine cannot turn
    // "running" into "stale" between two requests, and the stale time is this test's own.
    const { options } = s.live.service;
    const saved = { ...options };
    let clock = Date.now();
    options.now = () => clock;
    options.staleAfterMs = 10_000;
    try {
      expect((await post(s, '/api/live', body('start', { name: 'quiet' }))).status).toBe(200);
      clock += 9_999;
      expect((await liveList()).find((x) => x.name === 'quiet')?.status).toBe('running');
      clock += 2;
      const quiet = (await liveList()).find((x) => x.name === 'quiet');
      expect(quiet?.status).toBe('stale');
      expect((await liveList()).find((x) => x.name === 'exp-local-test')?.status).toBe('succeeded');
      expect((await s.api('DELETE', `/api/projects/fx/live/${quiet?.id ?? ''}`)).status).toBe(204);
      expect((await liveList()).find((x) => x.name === 'quiet')).toBeUndefined();
      expect((await s.api('DELETE', `/api/projects/fx/live/${quiet?.id ?? ''}`)).status).toBe(404);
    } finally {
      Object.assign(options, saved);
    }
  });
});
