import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Experiment, ExperimentForm, LogPage, UploadedFile, isFinished } from '../contracts/experiments.js';
import { parseDvcLock } from '../core/dvc/dvc-lock.js';
import { pullPipeline } from '../dvc/pipeline/sync.js';
import { runPipeline } from '../dvc/pipeline/run.js';
import { git } from '../git/run-git.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { makeBareDvcProject } from '../../test/fixtures.js';

const run = promisify(execFile);
let s: TestServer;
let tmp = '';
let bare = '';
let store = '';

beforeAll(async () => {
  ({ tmp, bare, store } = await makeBareDvcProject('kiln-dvc-out-'));
  s = await startTestServer();
  await s.addProject('p', bare);
}, 120_000);
afterAll(async () => {
  await s?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function show(rev: string, file: string, cwd: string): Promise<string> {
  return git(['show', `${rev}:${file}`], { cwd });
}

it('a run on a DVC project computes the changed params and pushes its outputs to the DVC remote', async () => {
  const created = await s.api('POST', '/api/projects/p/experiments', {
    rev: 'main',
    name: 'lr-up',
    set: ['train.lr=0.2'],
  });
  expect(created.status).toBe(201);
  let e: Experiment;
  for (const until = Date.now() + 400_000; ;) {
    e = Experiment.parse((await s.api('GET', '/api/projects/p/experiments/lr-up')).json);
    if (isFinished(e.status) || Date.now() > until) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  const logs = LogPage.parse((await s.api('GET', '/api/projects/p/experiments/lr-up/logs')).json);
  const text = logs.chunks.map((c) => c.text).join('');
  expect(e.status, text).toBe('succeeded');
  expect(e.resultCommit, text).toMatch(/^[0-9a-f]{40}$/);
  expect(text).toContain('pushing DVC outputs');
  // the push's progress, ending at its totals, in the run's log
  expect(text).toMatch(/kiln: pushing DVC outputs (\d+)\/\1 objects · ([\d.]+)\/\2 (B|KB|MB|GB)\n/);
  const ref = `refs/exps/${e.baseline.slice(0, 2)}/${e.baseline.slice(2)}/lr-up`;

  // The same params, computed by Kiln's pipeline in a checkout of the baseline.
  const co = path.join(tmp, 'co');
  await git(['clone', '--quiet', bare, co], { cwd: tmp });
  await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', e.baseline], { cwd: co });
  await git(['fetch', '--quiet', 'origin', `${ref}:${ref}`], { cwd: co });
  const params = await readFile(path.join(co, 'params.yaml'), 'utf8');
  await writeFile(path.join(co, 'params.yaml'), params.replace(/^( {2}lr:) .*$/m, '$1 0.2'));
  expect(await show(ref, 'params.yaml', co)).toBe(await readFile(path.join(co, 'params.yaml'), 'utf8'));
  await pullPipeline(co);
  await runPipeline({ root: co, targets: [], force: false, dry: false });
  for (const f of ['eval/metrics.json', 'dvclive/metrics.json', 'dvc.lock'])
    expect(await show(ref, f, co), f).toBe(await readFile(path.join(co, f), 'utf8'));

  // The cached outputs of the result commit are in the DVC remote, the retrained model among them.
  const outs = async (rev: string) => {
    const lock = parseDvcLock(await show(rev, 'dvc.lock', co));
    if (!lock.ok) throw new Error(lock.error);
    const all = Object.values(lock.value.stages).flatMap((st) => st.outs);
    return new Map(all.map((o) => [o.path, o.md5 ?? '']));
  };
  const result = await outs(ref);
  const model = result.get('model.pkl') ?? '';
  expect(model).not.toBe((await outs(e.baseline)).get('model.pkl'));
  for (const p of ['data/prepared', 'data/features', 'model.pkl']) {
    const oid = result.get(p) ?? '';
    expect(oid, p).toMatch(/^[0-9a-f]{32}(\.dir)?$/);
    expect(existsSync(path.join(store, 'files', 'md5', oid.slice(0, 2), oid.slice(2))), p).toBe(true);
  }
}, 600_000);

it('replaces a DVC-tracked input: hashed as DVC does, stored in the DVC remote, its .dvc and dvc.lock entries updated in the result commit', async () => {
  const form = await s.api('GET', '/api/projects/p/experiments-form?rev=main');
  expect(form.status).toBe(200);
  const { inputs } = ExperimentForm.parse(form.json);
  expect(inputs).toContainEqual({ path: 'data/data.xml', kind: 'dvc', hidden: false });
  expect(inputs).toContainEqual({ path: 'README.md', kind: 'git', hidden: true });
  expect(inputs).not.toContainEqual(expect.objectContaining({ path: 'src/prepare.py', hidden: false }));

  // a new version of the raw data, made by the fixture's own generator
  const co = path.join(tmp, 'co-input');
  await git(['clone', '--quiet', bare, co], { cwd: tmp });
  const gen =
    'import sys; sys.path.insert(0, "src"); from pipeline import make_data; sys.stdout.write(make_data(7))';
  const data = (await run('python3', ['-c', gen], { cwd: co })).stdout;
  const md5 = createHash('md5').update(data).digest('hex');
  const res = await fetch(`${s.url}/api/projects/p/uploads?path=data%2Fdata.xml`, {
    method: 'POST',
    headers: { authorization: `token ${s.token}`, 'content-type': 'application/octet-stream' },
    body: data,
  });
  expect(res.status).toBe(201);
  const { uploadId } = UploadedFile.parse(await res.json());

  const dirInput = await s.api('POST', '/api/projects/p/experiments', {
    rev: 'main',
    inputs: [{ path: 'data/prepared', uploadId }],
  });
  expect(dirInput.status).toBe(400);

  const created = await s.api('POST', '/api/projects/p/experiments', {
    rev: 'main',
    name: 'new-data',
    inputs: [{ path: 'data/data.xml', uploadId }],
  });
  expect(created.status).toBe(201);
  let e: Experiment;
  for (const until = Date.now() + 400_000; ;) {
    e = Experiment.parse((await s.api('GET', '/api/projects/p/experiments/new-data')).json);
    if (isFinished(e.status) || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const logs = LogPage.parse((await s.api('GET', '/api/projects/p/experiments/new-data/logs')).json);
  const text = logs.chunks.map((c) => c.text).join('');
  expect(e.status, text).toBe('succeeded');
  const ref = `refs/exps/${e.baseline.slice(0, 2)}/${e.baseline.slice(2)}/new-data`;
  await git(['fetch', '--quiet', 'origin', `${ref}:${ref}`], { cwd: co });

  // the .dvc file as `dvc add` writes it, the object in the DVC remote
  expect(await show(ref, 'data/data.xml.dvc', co)).toBe(
    `outs:\n- md5: ${md5}\n  size: ${Buffer.byteLength(data)}\n  hash: md5\n  path: data.xml\n`,
  );
  expect(readFileSync(path.join(store, 'files', 'md5', md5.slice(0, 2), md5.slice(2)), 'utf8')).toBe(data);
  const lock = parseDvcLock(await show(ref, 'dvc.lock', co));
  if (!lock.ok) throw new Error(lock.error);
  const dep = lock.value.stages
    .find((st) => st.name === 'prepare')
    ?.deps.find((d) => d.path === 'data/data.xml');
  expect(dep?.md5).toBe(md5);

  // a clean checkout of the result pulls the new data from the remote and reproduces the commit
  await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', ref], { cwd: co });
  await pullPipeline(co);
  expect(readFileSync(path.join(co, 'data', 'data.xml'), 'utf8')).toBe(data);
  await runPipeline({ root: co, targets: [], force: true, dry: false });
  for (const f of ['eval/metrics.json', 'dvc.lock'])
    expect(await show(ref, f, co), f).toBe(await readFile(path.join(co, f), 'utf8'));
  expect(await show(ref, 'eval/metrics.json', co)).not.toBe(await show(e.baseline, 'eval/metrics.json', co));
}, 600_000);
