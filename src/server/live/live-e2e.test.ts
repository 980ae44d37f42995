import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TablePage } from '../../contracts/api.js';
import { ServerEvent } from '../../contracts/events.js';
import { LiveExperimentList, PlotsResponse } from '../../contracts/live.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { post, waitFetched } from '../../../test/live-test-kit.js';

const run = promisify(execFile);
let s: TestServer;
let repo: TestRepo;
let head = '';

beforeAll(async () => {
  s = await startTestServer();
  repo = new TestRepo();
  repo
    .write(
      'dvc.yaml',
      'stages:\n  train:\n    cmd: python train.py\n    plots:\n      - dvclive/plots/metrics:\n          x: step\n' +
        'plots:\n  - roc:\n      template: simple\n      x: fpr\n      y:\n        eval/roc.json: tpr\n',
    )
    .write('params.yaml', 'lr: 0.1\n')
    .write('dvclive/plots/metrics/acc.tsv', 'step\tacc\n0\t0.5\n1\t0.7\n')
    .write('eval/roc.json', '{"roc": [{"fpr": 0, "tpr": 0}, {"fpr": 1, "tpr": 1}]}')
    .write('dvclive/plots/images/cm.png', 'PNGDATA');
  head = repo.commit('first');
  expect((await s.api('POST', '/api/projects', { name: 'p', source: repo.dir })).status).toBe(201);
  await waitFetched(s, 'p');
});
afterAll(async () => {
  await s?.close();
});

const event = (type: string, name: string, extra: Record<string, unknown> = {}, baseline = head) => ({
  type,
  repo_url: `file://${repo.dir}/.git`,
  baseline_sha: baseline,
  name,
  client: 'dvclive',
  ...extra,
});

async function table() {
  return TablePage.parse((await s.api('GET', '/api/projects/p/table')).json);
}

describe('live experiments in the table, plots and webhook', () => {
  it('nests a live experiment under its baseline; an unseen baseline is detached', async () => {
    expect((await post(s, '/api/live', event('start', 'nested'))).status).toBe(200);
    const metrics = { 'dvclive/metrics.json': { data: { acc: 0.8 } } };
    expect((await post(s, '/api/live', event('data', 'nested', { step: 0, metrics }))).status).toBe(200);
    const other = 'b'.repeat(40);
    expect((await post(s, '/api/live', event('start', 'orphan', {}, other))).status).toBe(200);
    const rows = (await table()).rows;
    const i = rows.findIndex((r) => r.rev === head && r.name === undefined);
    expect(rows[i + 1]).toMatchObject({
      name: 'nested',
      baseline: head,
      status: 'running',
      metrics: { 'dvclive/metrics.json': { acc: 0.8 } },
    });
    const live = LiveExperimentList.parse((await s.api('GET', '/api/projects/p/live')).json).experiments;
    expect(live.find((x) => x.name === 'orphan')).toMatchObject({ detached: true, baseline: other });
    expect(live.find((x) => x.name === 'nested')).toMatchObject({ detached: false });
  });

  it('plots of a commit: dvc.yaml definitions with templates, DVCLive series and images', async () => {
    const got = PlotsResponse.parse(
      (await s.api('GET', `/api/projects/p/plots?rev=${head}&exp=nested`)).json,
    );
    const commit = got.sources[0];
    expect(commit?.kind).toBe('commit');
    expect(commit?.definitions.map((d) => [d.id, d.template])).toEqual([
      ['roc', 'simple'],
      ['dvclive/plots/metrics/acc.tsv', 'linear'],
    ]);
    expect(commit?.series).toContainEqual({
      path: 'dvclive/plots/metrics/acc.tsv',
      rows: [
        { step: 0, acc: 0.5 },
        { step: 1, acc: 0.7 },
      ],
    });
    expect(commit?.series).toContainEqual({
      path: 'eval/roc.json',
      rows: [
        { fpr: 0, tpr: 0 },
        { fpr: 1, tpr: 1 },
      ],
    });
    expect(got.sources[1]).toMatchObject({ kind: 'experiment', id: 'nested', status: 'running' });
    expect(got.sources[1]?.definitions.map((d) => d.id)).toContain('roc');
    expect((await s.api('GET', '/api/projects/p/plots?rev=nope')).status).toBe(400);
  });

  it('POST /webhook/dvc drops removed refs/exps rows and answers the project URL', async () => {
    const ref = `refs/exps/${head.slice(0, 2)}/${head.slice(2)}/nested`;
    const r = await post(s, '/webhook/dvc', {
      repo_url: repo.dir,
      client: 'dvc',
      refs: { pushed: [], removed: [ref] },
    });
    expect(r).toEqual({ status: 200, json: { url: `${s.url}/projects/p` } });
    const live = LiveExperimentList.parse((await s.api('GET', '/api/projects/p/live')).json).experiments;
    expect(live.find((x) => x.name === 'nested')).toBeUndefined();
    const pushed = await post(s, '/webhook/dvc', {
      repo_url: repo.dir,
      refs: { pushed: [`refs/exps/bb/${'b'.repeat(38)}/orphan`] },
    });
    expect(pushed.status).toBe(200);
    const again = LiveExperimentList.parse((await s.api('GET', '/api/projects/p/live')).json).experiments;
    expect(again.find((x) => x.name === 'orphan')?.pushed).toBe(true);
    expect((await post(s, '/webhook/dvc', { repo_url: repo.dir, refs: {} }, null)).status).toBe(401);
  });

  // How soon is measured by the bench (live.fanout_p99); a busy machine must not fail this test.
  it('browsers get live.update over SSE after a post, with the new plot rows', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${s.url}/api/events`, {
      headers: { authorization: `token ${s.token}` },
      signal: ctrl.signal,
    });
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const plots = { 'dvclive/plots/metrics/acc.tsv': { data: [{ step: 4, acc: 0.9 }] } };
    expect((await post(s, '/api/live', event('data', 'sse', { step: 4, plots }))).status).toBe(200);
    let buf = '';
    let got: ServerEvent | null = null;
    while (!got) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buf += new TextDecoder().decode(chunk.value);
      for (const line of buf.split('\n'))
        if (line.startsWith('data: ')) {
          const e = ServerEvent.parse(JSON.parse(line.slice(6)));
          if (e.type === 'live.update' && e.name === 'sse') got = e;
        }
    }
    ctrl.abort();
    expect(got).toMatchObject({
      type: 'live.update',
      project: 'p',
      step: 4,
      plots: { 'dvclive/plots/metrics/acc.tsv': [{ step: 4, acc: 0.9 }] },
    });
  });

  it('a plain Python script posts as dvc-studio-client does, with DVC_STUDIO_URL and DVC_STUDIO_TOKEN', async () => {
    const script = path.join(repo.dir, '..', 'post_live.py');
    writeFileSync(
      script,
      `import json, os, urllib.request
from urllib.parse import urljoin
def post(body):
    req = urllib.request.Request(urljoin(os.environ["DVC_STUDIO_URL"], "api/live"), data=json.dumps(body).encode(),
        headers={"Content-type": "application/json", "Authorization": "token " + os.environ["DVC_STUDIO_TOKEN"]}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200, r.status
base = {"repo_url": os.environ["REPO"], "baseline_sha": os.environ["SHA"], "name": "py-exp", "client": "dvclive"}
post(dict(base, type="start"))
for step in range(5):
    post(dict(base, type="data", step=step, metrics={"dvclive/metrics.json": {"data": {"loss": 1.0 / (step + 1), "step": step}}},
        plots={"dvclive/dvc.yaml::dvclive/plots/metrics/loss.tsv": {"data": [{"step": step, "loss": 1.0 / (step + 1)}]}}))
post(dict(base, type="done"))
print("ok")
`,
    );
    const { stdout } = await run('python3', [script], {
      env: { ...process.env, DVC_STUDIO_URL: s.url, DVC_STUDIO_TOKEN: s.token, REPO: repo.dir, SHA: head },
    });
    expect(stdout.trim()).toBe('ok');
    const got = PlotsResponse.parse((await s.api('GET', '/api/projects/p/plots?exp=py-exp')).json);
    expect(got.sources[0]?.status).toBe('succeeded');
    expect(got.sources[0]?.series[0]?.rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
  });
});
