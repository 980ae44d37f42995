import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CiCommitResult } from '../../contracts/ci.js';
import { UploadedFile } from '../../contracts/experiments.js';
import { parseDvcFile } from '../../core/dvc/dvc-file.js';
import { parseDvcLock } from '../../core/dvc/dvc-lock.js';
import { git } from '../../git/run-git.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { makeBareDvcProject } from '../../../test/fixtures.js';
import { pushFiles } from '../../../test/push-files.js';

let s: TestServer;
let tmp = '';
let bare = '';
let store = '';

beforeAll(async () => {
  ({ tmp, bare, store } = await makeBareDvcProject('kiln-ci-inputs-'));
  s = await startTestServer();
  await s.addProject('d', bare);
}, 120_000);
afterAll(async () => {
  await s?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function upload(file: string, data: string): Promise<string> {
  const res = await fetch(`${s.url}/api/projects/d/uploads?path=${encodeURIComponent(file)}`, {
    method: 'POST',
    headers: { authorization: `token ${s.token}`, 'content-type': 'application/octet-stream' },
    body: data,
  });
  expect(res.status).toBe(201);
  return UploadedFile.parse(await res.json()).uploadId;
}

const ciCommit = (body: object) =>
  s.api('POST', '/api/projects/d/ci-commits', { rev: 'main', branch: { kind: 'base' }, ...body });
const md5 = (x: string) => createHash('md5').update(x).digest('hex');
const onRemote = (oid: string) => path.join(store, 'files', 'md5', oid.slice(0, 2), oid.slice(2));
const show = (rev: string, file: string) => git(['show', `${rev}:${file}`], { cwd: bare });

describe('CI commits with replaced input data', () => {
  it('pushes DVC-tracked data to the DVC remote, updates .dvc and dvc.lock, replaces Git files', async () => {
    const data = '<posts>\n  <row Id="1" Body="fresh data" />\n</posts>\n';
    const model = 'not really a pickle\n';
    const readme = '# replaced by a CI experiment\n';
    const metrics = '{"avg_prec": 0.5}\n';
    const before = (await git(['rev-parse', 'main'], { cwd: bare })).trim();
    const r = await ciCommit({
      params: [{ file: 'params.yaml', key: 'train.lr', value: 0.2 }],
      inputs: [
        { path: 'data/data.xml', uploadId: await upload('data/data.xml', data) },
        { path: 'model.pkl', uploadId: await upload('model.pkl', model) },
        { path: 'README.md', uploadId: await upload('README.md', readme) },
        { path: 'eval/metrics.json', uploadId: await upload('eval/metrics.json', metrics) },
      ],
      message: 'New data',
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const res = CiCommitResult.parse(r.json);
    expect(res.inputs).toEqual([
      { path: 'data/data.xml', kind: 'dvc-file', md5: md5(data), size: data.length, pushed: true },
      { path: 'model.pkl', kind: 'dvc-lock', md5: md5(model), size: model.length, pushed: true },
      { path: 'README.md', kind: 'git' },
      // a `cache: false` out: a Git file, and its new hash in dvc.lock
      { path: 'eval/metrics.json', kind: 'dvc-lock', md5: md5(metrics), size: metrics.length, pushed: false },
    ]);
    expect((await git(['rev-parse', 'main'], { cwd: bare })).trim()).toBe(res.rev);
    expect((await git(['rev-parse', `${res.rev}^`], { cwd: bare })).trim()).toBe(before);

    // the data is on the DVC remote in DVC's layout, and only referenced from Git
    expect(readFileSync(onRemote(md5(data)), 'utf8')).toBe(data);
    expect(readFileSync(onRemote(md5(model)), 'utf8')).toBe(model);
    const dvcFile = parseDvcFile(await show(res.rev, 'data/data.xml.dvc'), 'data/data.xml.dvc');
    expect(dvcFile.ok && dvcFile.value.outs[0]).toMatchObject({
      md5: md5(data),
      size: data.length,
      path: 'data.xml',
    });
    const lock = parseDvcLock(await show(res.rev, 'dvc.lock'));
    const train = lock.ok ? lock.value.stages.find((st) => st.name === 'train') : undefined;
    expect(train?.outs.find((o) => o.path === 'model.pkl')).toMatchObject({
      md5: md5(model),
      size: model.length,
    });
    const evaluate = lock.ok
      ? lock.value.stages.find((st) => st.outs.some((o) => o.path === 'eval/metrics.json'))
      : undefined;
    expect(evaluate?.outs.find((o) => o.path === 'eval/metrics.json')).toMatchObject({
      md5: md5(metrics),
      size: metrics.length,
    });
    const files = (await git(['ls-tree', '-r', '--name-only', res.rev], { cwd: bare })).split('\n');
    expect(files).not.toContain('data/data.xml');
    expect(files).not.toContain('model.pkl');
    expect(await show(res.rev, 'README.md')).toBe(readme);
    expect(await show(res.rev, 'eval/metrics.json')).toBe(metrics);
    expect(await show(res.rev, 'params.yaml')).toContain('lr: 0.2');

    // the same data again is already on the remote
    const again = await ciCommit({
      inputs: [{ path: 'data/data.xml', uploadId: await upload('data/data.xml', data) }],
      message: 'Same data',
      branch: { kind: 'new', name: 'same-data' },
    });
    expect(again.status).toBe(201);
    expect(CiCommitResult.parse(again.json).inputs[0]).toMatchObject({ kind: 'dvc-file', pushed: false });
    expect(CiCommitResult.parse(again.json).pullRequest.state).toBe('none');
  });

  it('refuses untracked paths, directories, escapes and unknown uploads, and pushes nothing', async () => {
    const head = (await git(['rev-parse', 'main'], { cwd: bare })).trim();
    const id = await upload('x', 'x\n');
    const bad = async (p: string, uploadId = id) =>
      ciCommit({ inputs: [{ path: p, uploadId }], message: 'bad' });
    for (const p of ['src/nope.py', 'data/prepared', 'data']) {
      const r = await bad(p);
      expect(r.status, p).toBe(400);
    }
    expect((await bad('../outside')).status).toBe(400);
    expect((await bad('README.md', '00000000-0000-0000-0000-000000000000')).status).toBe(400);
    expect((await git(['rev-parse', 'main'], { cwd: bare })).trim()).toBe(head);
    expect(existsSync(onRemote(md5('x\n')))).toBe(false);
  });

  it('replaces an input a nested sub/dvc.yaml tracks: data on the DVC remote, sub/dvc.lock rewritten, nothing else', async () => {
    // a nested pipeline, as DVC collects it beside the top-level one
    const lockBefore =
      "schema: '2.0'\nstages:\n  make:\n    cmd: python make.py\n    outs:\n    - path: table.csv\n" +
      `      hash: md5\n      md5: ${md5('a,b\n')}\n      size: 4\n`;
    await pushFiles(
      bare,
      {
        'sub/dvc.yaml': 'stages:\n  make:\n    cmd: python make.py\n    outs:\n    - table.csv\n',
        'sub/dvc.lock': lockBefore,
        'sub/.gitignore': '/table.csv\n',
      },
      'nested',
    );
    expect((await s.api('POST', '/api/projects/d/reload')).status).toBe(200);
    const topLock = await show('main', 'dvc.lock');

    const table = 'a,b\n1,2\n';
    const r = await ciCommit({
      inputs: [{ path: 'sub/table.csv', uploadId: await upload('sub/table.csv', table) }],
      message: 'New table',
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const res = CiCommitResult.parse(r.json);
    expect(res.inputs).toEqual([
      { path: 'sub/table.csv', kind: 'dvc-lock', md5: md5(table), size: table.length, pushed: true },
    ]);
    expect(readFileSync(onRemote(md5(table)), 'utf8')).toBe(table);
    expect(await show(res.rev, 'sub/dvc.lock')).toBe(
      lockBefore.replace(md5('a,b\n'), md5(table)).replace('size: 4', `size: ${table.length}`),
    );
    expect(await show(res.rev, 'dvc.lock')).toBe(topLock);
    const files = (await git(['ls-tree', '-r', '--name-only', res.rev], { cwd: bare })).split('\n');
    expect(files).not.toContain('sub/table.csv');
  });
});
