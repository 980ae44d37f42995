import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlotsResponse, type PlotSource } from '../../contracts/live.js';
import { runPipeline } from '../../dvc/pipeline/run.js';
import { pushPipeline } from '../../dvc/pipeline/sync.js';
import { git } from '../../git/run-git.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

/**
 * A pipeline whose plots are cached outs pushed to a local DVC remote, Git holding only their
 * md5 in dvc.lock: an image plot, a directory of images, and three files named only by top-level
 * plot definitions (one in each form). Also nested dvc.yaml files whose plots are in Git.
 */
const DRAW = `
import json, os, random
rnd = random.Random(5)
os.makedirs("images", exist_ok=True)
png = b"\\x89PNG\\r\\n\\x1a\\n" + rnd.randbytes(3000)
open("importance.png", "wb").write(png)
open("images/a.png", "wb").write(b"\\x89PNG\\r\\n\\x1a\\n" + rnd.randbytes(200))
open("images/b.svg", "w").write('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
open("images/notes.txt", "w").write("not a plot")
open("curve.csv", "w").write("step,loss\\n0,0.9\\n1,0.4\\n")
json.dump([{"step": 0, "acc": 0.5}, {"step": 1, "acc": 0.75}], open("acc.json", "w"))
open("roc.tsv", "w").write("fpr\\ttpr\\n0\\t0\\n1\\t1\\n")
`;

const DVC_YAML = `stages:
  draw:
    cmd: python3 draw.py
    deps: [draw.py]
    outs: [curve.csv, acc.json, roc.tsv]
    plots: [importance.png, images]
plots:
  - Loss:
      x: step
      y:
        curve.csv: [loss]
  - acc.json:
      x: step
      y: acc
  - roc.tsv
`;

const nestedYaml = (name: string) =>
  `stages:\n  ${name}:\n    cmd: cp seed.csv ${name}.csv\n    deps: [seed.csv]\n    params: [k]\n    plots:\n      - ${name}.csv:\n          cache: false\n`;

let s: TestServer;
let tmp = '';
let work = '';
const commits: Record<string, string> = {};

async function commit(cwd: string, message: string): Promise<string> {
  await git(['add', '-A'], { cwd });
  await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', message], { cwd });
  return (await git(['rev-parse', 'HEAD'], { cwd })).trim();
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'kiln-kept-plots-'));
  work = path.join(tmp, 'work');
  await mkdir(path.join(work, '.dvc'), { recursive: true });
  await writeFile(path.join(work, 'draw.py'), DRAW);
  await writeFile(path.join(work, 'dvc.yaml'), DVC_YAML);
  await writeFile(
    path.join(work, '.dvc', 'config'),
    `[core]\n    remote = store\n['remote "store"']\n    url = ${path.join(tmp, 'dvc-store')}\n`,
  );
  await writeFile(path.join(work, '.dvc', '.gitignore'), '/config.local\n/tmp\n/cache\n');
  for (const dir of ['sub', 'lab/exp']) {
    const name = path.basename(dir);
    await mkdir(path.join(work, dir), { recursive: true });
    await writeFile(path.join(work, dir, 'dvc.yaml'), nestedYaml(name));
    await writeFile(path.join(work, dir, 'seed.csv'), 'step,v\n0,1\n');
    await writeFile(path.join(work, dir, 'params.yaml'), 'k: 1\n');
  }
  await git(['init', '--quiet', '-b', 'main'], { cwd: work });
  const quiet = { log: () => {}, output: () => {} };
  expect((await runPipeline({ root: work, ...quiet })).ran).toEqual([
    'draw',
    'lab/exp/dvc.yaml:exp',
    'sub/dvc.yaml:sub',
  ]);
  expect((await pushPipeline(work)).transferred.length).toBeGreaterThan(0);
  commits.small = await commit(work, 'plots kept in DVC');
  await writeFile(path.join(work, 'README.md'), 'same pipeline\n');
  commits.full = await commit(work, 'readme');
  await writeFile(path.join(work, '.dvcignore'), '# not this one\nsub/\n');
  await writeFile(path.join(work, 'lab', '.dvcignore'), 'exp/\n');
  commits.ignored = await commit(work, 'dvcignore');
  const bare = path.join(tmp, 'repo.git');
  await git(['clone', '--quiet', '--bare', work, bare], { cwd: tmp });
  s = await startTestServer();
  await s.addProject('kept', bare);
}, 120_000);
afterAll(async () => {
  await s?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function plotsAt(sha: string | undefined): Promise<PlotSource> {
  const r = await s.api('GET', `/api/projects/kept/plots?rev=${sha ?? ''}`);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const src = PlotsResponse.parse(r.json).sources[0];
  if (!src) throw new Error('no plot source');
  return src;
}

const bytesOf = (f: string) => readFileSync(path.join(work, f)).toString('base64');

describe('plots kept in the DVC remote', () => {
  it('the outputs are not in Git, only their md5 in dvc.lock', async () => {
    const files = await git(['ls-tree', '-r', '--name-only', commits.full ?? ''], { cwd: work });
    for (const f of ['importance.png', 'images/a.png', 'curve.csv', 'acc.json', 'roc.tsv'])
      expect(files.split('\n')).not.toContain(f);
  });

  it('images (a file and a directory) come from the remote byte for byte, and top-level definitions’ files as series', async () => {
    const src = await plotsAt(commits.full);
    expect(src.errors).toEqual({});
    const images = Object.fromEntries(src.images.map((i) => [i.path, i]));
    expect(Object.keys(images).sort()).toEqual(['images/a.png', 'images/b.svg', 'importance.png']);
    expect(images['importance.png']).toEqual({
      path: 'importance.png',
      mime: 'image/png',
      base64: bytesOf('importance.png'),
    });
    expect(images['images/a.png']?.base64).toBe(bytesOf('images/a.png'));
    expect(images['images/b.svg']).toMatchObject({ mime: 'image/svg+xml', base64: bytesOf('images/b.svg') });

    const series = Object.fromEntries(src.series.map((x) => [x.path, x.rows]));
    expect(series['curve.csv']).toEqual([
      { step: 0, loss: 0.9 },
      { step: 1, loss: 0.4 },
    ]);
    expect(series['acc.json']).toEqual([
      { step: 0, acc: 0.5 },
      { step: 1, acc: 0.75 },
    ]);
    expect(series['roc.tsv']).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 1 },
    ]);
    const defs = Object.fromEntries(src.definitions.map((d) => [d.id, d]));
    expect(defs['Loss']).toMatchObject({ x: 'step', y: { 'curve.csv': ['loss'] }, files: ['curve.csv'] });
    expect(defs['acc.json']).toMatchObject({ x: 'step', y: 'acc', files: ['acc.json'] });
    expect(defs['roc.tsv']?.files).toEqual(['roc.tsv']);
    expect(defs['importance.png']?.files).toEqual(['importance.png']);
    expect(defs['images/a.png']?.files).toEqual(['images/a.png']);
    // the directory's file that is no plot is not fetched
    expect(defs['images/notes.txt']).toBeUndefined();
    // nested dvc.yaml files are collected when no .dvcignore excludes them
    expect(src.series.map((x) => x.path)).toEqual(expect.arrayContaining(['sub/sub.csv', 'lab/exp/exp.csv']));
  });

  it('past the cap an image is named as "skipped: too large" in place of its bytes', async () => {
    await s.store.setSetting('table.dvcRemoteMaxBytes', '2000');
    try {
      const src = await plotsAt(commits.small);
      expect(src.images.map((i) => i.path).sort()).toEqual(['images/a.png', 'images/b.svg']);
      expect(src.errors['importance.png']).toMatch(
        /^skipped: too large \(3008 bytes in the DVC remote, over the table's cap of 2000\)$/,
      );
      // its definition stays, so the pane shows the marker where the image would be
      expect(src.definitions.find((d) => d.id === 'importance.png')?.files).toEqual(['importance.png']);
      expect(src.series.map((x) => x.path)).toContain('curve.csv');
    } finally {
      await s.store.setSetting('table.dvcRemoteMaxBytes', String(1024 * 1024));
    }
  });

  it('dvc.yaml files a .dvcignore excludes (at the root or nested) are not collected, for plots and the Run form', async () => {
    const paramFiles = async (sha: string | undefined) => {
      const form = await s.api('GET', `/api/projects/kept/experiments-form?rev=${sha ?? ''}`);
      expect(form.status, JSON.stringify(form.json)).toBe(200);
      return (form.json as { params: Array<{ file: string }> }).params.map((p) => p.file);
    };
    expect(await paramFiles(commits.full)).toEqual(
      expect.arrayContaining(['sub/params.yaml', 'lab/exp/params.yaml']),
    );
    const ignoredParams = await paramFiles(commits.ignored);
    expect(ignoredParams).not.toContain('sub/params.yaml');
    expect(ignoredParams).not.toContain('lab/exp/params.yaml');

    const src = await plotsAt(commits.ignored);
    const paths = src.definitions.flatMap((d) => d.files);
    expect(paths).not.toContain('sub/sub.csv');
    expect(paths).not.toContain('lab/exp/exp.csv');
    expect(paths).toContain('curve.csv');
    expect(src.images.map((i) => i.path)).toContain('importance.png');
  });
});
