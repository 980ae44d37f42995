import { mkdtemp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TablePage } from '../../contracts/api.js';
import { Experiment, isFinished, LogPage } from '../../contracts/experiments.js';
import { PlotsResponse } from '../../contracts/live.js';
import { git } from '../../git/run-git.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { readRemoteMetrics } from '../table/remote-files.js';

let s: TestServer;
let tmp = '';

/** A DVC project whose metrics are cached outs: Git holds only their md5 in dvc.lock. */
async function makeProject(): Promise<string> {
  const work = path.join(tmp, 'work');
  await mkdir(path.join(work, '.dvc'), { recursive: true });
  await writeFile(path.join(work, 'params.yaml'), 'n: 3\n');
  await writeFile(
    path.join(work, 'score.py'),
    [
      'import json',
      'n = int(open("params.yaml").read().split(":")[1])',
      'json.dump({"score": n * 2}, open("metrics.json", "w"))',
      'json.dump({"pad": "x" * 5000}, open("big.json", "w"))',
      'open("loss.csv", "w").write("step,loss\\n0,1.0\\n1,0.5\\n")',
      '',
    ].join('\n'),
  );
  await writeFile(
    path.join(work, 'dvc.yaml'),
    'stages:\n  score:\n    cmd: python3 score.py\n    deps: [score.py]\n    params: [n]\n    metrics: [metrics.json, big.json]\n    plots: [loss.csv]\n',
  );
  await writeFile(
    path.join(work, '.dvc', 'config'),
    `[core]\n    remote = store\n['remote "store"']\n    url = ${path.join(tmp, 'dvc-store')}\n`,
  );
  // a nested pipeline: its params are in the Run form, and `kiln pipeline run` runs it too
  await mkdir(path.join(work, 'sub'));
  await writeFile(path.join(work, 'sub', 'params.yaml'), 'k: 1.5\n');
  await writeFile(
    path.join(work, 'sub', 'dvc.yaml'),
    'stages:\n  copy:\n    cmd: cp params.yaml copied.txt\n    params: [k]\n    outs: [copied.txt]\n',
  );
  await writeFile(path.join(work, '.dvc', '.gitignore'), '/config.local\n/tmp\n/cache\n');
  await writeFile(path.join(work, '.gitignore'), '/metrics.json\n/big.json\n/loss.csv\n');
  await git(['init', '--quiet', '-b', 'main'], { cwd: work });
  await git(['add', '.'], { cwd: work });
  await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'cached metrics'], {
    cwd: work,
  });
  const bare = path.join(tmp, 'repo.git');
  await git(['clone', '--quiet', '--bare', work, bare], { cwd: tmp });
  return bare;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'kiln-remote-metrics-'));
  const bare = await makeProject();
  s = await startTestServer();
  await s.addProject('cached', bare);
}, 120_000);
afterAll(async () => {
  await s?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it('the table shows metrics kept in the DVC remote, and marks one past the size cap "skipped: too large"', async () => {
  await s.store.setSetting('table.dvcRemoteMaxBytes', '1000');
  const form = await s.api('GET', '/api/projects/cached/experiments-form?rev=main');
  expect(form.json).toMatchObject({
    params: expect.arrayContaining([
      { file: 'params.yaml', key: 'n', value: 3 },
      expect.objectContaining({ file: 'sub/params.yaml', key: 'k', value: 1.5 }),
    ]),
  });
  const created = await s.api('POST', '/api/projects/cached/experiments', {
    rev: 'main',
    name: 'n-seven',
    set: ['n=7'],
  });
  expect(created.status).toBe(201);
  let e: Experiment;
  for (const until = Date.now() + 300_000; ;) {
    e = Experiment.parse((await s.api('GET', '/api/projects/cached/experiments/n-seven')).json);
    if (isFinished(e.status) || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = LogPage.parse((await s.api('GET', '/api/projects/cached/experiments/n-seven/logs')).json)
    .chunks.map((c) => c.text)
    .join('');
  expect(e.status, log).toBe('succeeded');
  // the metrics are not in the result commit, only their hashes in dvc.lock
  const mirror = s.projects.mirrorDir('cached');
  const files = await git(['ls-tree', '-r', '--name-only', e.resultCommit ?? ''], { cwd: mirror });
  expect(files).not.toContain('metrics.json');
  expect(await git(['show', `${e.resultCommit ?? ''}:dvc.lock`], { cwd: mirror })).toContain(
    'path: metrics.json',
  );

  const table = TablePage.parse((await s.api('GET', '/api/projects/cached/table')).json);
  const row = table.rows.find((r) => r.name === 'n-seven');
  expect(row?.metrics['metrics.json']).toEqual({ score: 14 });
  // what the run's live DVCLive reports overlay is the live module's; the remote read is checked alone too
  const direct = await readRemoteMetrics({
    mirror,
    sha: e.resultCommit ?? '',
    subdir: '',
    source: path.join(tmp, 'repo.git'),
    maxBytes: 1000,
  });
  expect(direct.metrics).toEqual({ 'metrics.json': { score: 14 } });
  expect(Object.keys(direct.errors)).toEqual(['big.json']);
  expect(row?.errors['big.json']).toMatch(
    /^skipped: too large \(\d+ bytes in the DVC remote, over the table's cap of 1000\)$/,
  );
}, 400_000);

it('a commit whose metrics are kept in DVC shows them in its own table row, within the cap', async () => {
  const b = await s.api('POST', '/api/projects/cached/experiments/n-seven/branch', { branch: 'seven' });
  expect(b.status, JSON.stringify(b.json)).toBe(200);
  expect((await s.api('POST', '/api/projects/cached/reload')).status).toBe(200);
  const table = TablePage.parse((await s.api('GET', '/api/projects/cached/table')).json);
  const row = table.rows.find((r) => r.branches.includes('seven'));
  expect(row?.metrics['metrics.json']).toEqual({ score: 14 });
  expect(row?.errors['big.json']).toMatch(/^skipped: too large/);
  // The baseline commit was never run: nothing in the remote for it, and no error either.
  const main = table.rows.find((r) => r.branches.includes('main'));
  expect(main?.metrics['metrics.json']).toBeUndefined();
}, 120_000);

it('plots the pipeline keeps in DVC come from the DVC remote for the plots pane', async () => {
  const e = Experiment.parse((await s.api('GET', '/api/projects/cached/experiments/n-seven')).json);
  const r = PlotsResponse.parse(
    (await s.api('GET', `/api/projects/cached/plots?rev=${e.resultCommit ?? ''}`)).json,
  );
  const src = r.sources[0];
  expect(src?.definitions.map((d) => d.files).flat()).toContain('loss.csv');
  expect(src?.series.find((x) => x.path === 'loss.csv')?.rows).toEqual([
    { step: 0, loss: 1 },
    { step: 1, loss: 0.5 },
  ]);
}, 60_000);

it('reads each DVC object once: a kept file is served again without the remote, a raised cap reads a skipped one', async () => {
  const e = Experiment.parse((await s.api('GET', '/api/projects/cached/experiments/n-seven')).json);
  const at = {
    mirror: s.projects.mirrorDir('cached'),
    sha: e.resultCommit ?? '',
    subdir: '',
    source: path.join(tmp, 'repo.git'),
    maxBytes: 1000,
  };
  expect((await readRemoteMetrics(at)).metrics).toEqual({ 'metrics.json': { score: 14 } });
  // Objects are named by their md5: what was read stays true with the remote out of reach.
  const store = path.join(tmp, 'dvc-store');
  await rename(store, `${store}.away`);
  try {
    const again = await readRemoteMetrics(at);
    expect(again.metrics).toEqual({ 'metrics.json': { score: 14 } });
    expect(again.errors['big.json']).toMatch(/^skipped: too large/);
    // A cap raised past big.json's size needs its bytes: the remote is asked, and it is away.
    const raised = await readRemoteMetrics({ ...at, maxBytes: 100_000 });
    expect(raised.errors['big.json']).toMatch(/not in the DVC remote|could not be read/);
  } finally {
    await rename(`${store}.away`, store);
  }
  const raised = await readRemoteMetrics({ ...at, maxBytes: 100_000 });
  expect(raised.metrics['big.json']).toEqual({ pad: 'x'.repeat(5000) });
  expect(raised.errors).toEqual({});
}, 60_000);
