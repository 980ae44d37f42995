import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CiCommitResult } from '../../contracts/ci.js';
import { LogPage, UploadedFile } from '../../contracts/experiments.js';
import { parseDvcLock } from '../../core/dvc/dvc-lock.js';
import { git } from '../../git/run-git.js';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  h = await startRunServer();
}, 240_000);
afterAll(async () => h?.close());

const remote = () => path.join(h.home, 'dvc-remote', 'demo');
const objectPath = (md5: string) => path.join(remote(), 'files', 'md5', md5.slice(0, 2), md5.slice(2));

async function lockMd5(rev: string, out: string): Promise<string | undefined> {
  const text = await git(['show', `${rev}:dvc.lock`], { cwd: path.join(h.home, 'demo-repo') });
  const lock = parseDvcLock(text);
  if (!lock.ok) throw new Error(lock.error);
  for (const s of lock.value.stages) for (const o of s.outs) if (o.path === out) return o.md5;
  return undefined;
}

const md5Of = (text: string) => createHash('md5').update(text).digest('hex');
let smaller = '';

async function upload(text: string): Promise<string> {
  const up = await fetch(`${h.server.url}/api/projects/demo/uploads?path=data%2Fdataset.csv`, {
    method: 'POST',
    headers: { authorization: `token ${h.token}`, 'content-type': 'application/octet-stream' },
    body: text,
  });
  expect(up.status).toBe(201);
  return UploadedFile.parse(await up.json()).uploadId;
}

describe('the demo project, out of the box, keeps its data set in a DVC remote in the data dir', () => {
  it('the Run form lists the data set as a DVC-tracked input', async () => {
    const form = await h.api('GET', '/api/projects/demo/experiments-form?rev=main');
    expect(form.status).toBe(200);
    const inputs = (form.json as { inputs: Array<{ path: string; kind: string; hidden: boolean }> }).inputs;
    expect(inputs).toContainEqual({ path: 'data/dataset.csv', kind: 'dvc', hidden: false });
    const md5 = await lockMd5('main', 'data/dataset.csv');
    expect(md5 && existsSync(objectPath(md5))).toBe(true);
  });

  it('a run that replaces it pulls, runs, pushes its outputs and records the new hash', async () => {
    const original = await readFile(path.join(h.home, 'demo-repo', 'data', 'dataset.csv'), 'utf8');
    const lines = original.trimEnd().split('\n');
    smaller = [...lines.slice(0, 1), ...lines.slice(1, 401)].join('\n') + '\n';
    const uploadId = await upload(smaller);
    const r = await h.api('POST', '/api/projects/demo/experiments', {
      rev: 'main',
      name: 'small-data',
      inputs: [{ path: 'data/dataset.csv', uploadId }],
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const done = await h.waitFor('small-data');
    const log = LogPage.parse((await h.api('GET', '/api/projects/demo/experiments/small-data/logs')).json)
      .chunks.map((c) => c.text)
      .join('');
    expect(done.status, log).toBe('succeeded');
    expect(log).toMatch(/kiln: pulling DVC-tracked inputs from remote 'storage'/);
    expect(log).toMatch(/kiln: [1-9]\d* file\(s\) fetched/);
    expect(log).toMatch(/file\(s\) pushed|dvc push/);
    const md5 = await lockMd5(done.resultCommit ?? '', 'data/dataset.csv');
    expect(md5).not.toBe(await lockMd5('main', 'data/dataset.csv'));
    expect(md5 && existsSync(objectPath(md5))).toBe(true);
  }, 240_000);

  it('a branch and a CI commit made from the replaced data carry its new hash, and the data is on the remote', async () => {
    const want = md5Of(smaller);
    const source = path.join(h.home, 'demo-repo');
    // The branch from the run's result, pushed to the project's repository.
    const b = await h.api('POST', '/api/projects/demo/experiments/small-data/branch', {
      branch: 'small-data-branch',
    });
    expect(b.status, JSON.stringify(b.json)).toBe(200);
    expect(b.json).toMatchObject({ pushed: true });
    expect(await lockMd5('refs/heads/small-data-branch', 'data/dataset.csv')).toBe(want);
    expect(existsSync(objectPath(want))).toBe(true);

    // A CI commit from the Run form with the same replacement: pushed to the DVC remote first,
    // then the commit on the repository's default branch names the new hash.
    const before = (await git(['rev-parse', 'main'], { cwd: source })).trim();
    const c = await h.api('POST', '/api/projects/demo/ci-commits', {
      rev: 'main',
      inputs: [{ path: 'data/dataset.csv', uploadId: await upload(smaller) }],
      message: 'Train on the smaller data set',
    });
    expect(c.status, JSON.stringify(c.json)).toBe(201);
    const res = CiCommitResult.parse(c.json);
    expect(res.inputs).toEqual([expect.objectContaining({ path: 'data/dataset.csv', md5: want })]);
    expect((await git(['rev-parse', `${res.rev}^`], { cwd: source })).trim()).toBe(before);
    expect(await lockMd5(res.rev, 'data/dataset.csv')).toBe(want);
    expect(await lockMd5(before, 'data/dataset.csv')).not.toBe(want);
  }, 120_000);
});
