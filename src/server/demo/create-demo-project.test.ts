import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoProject, DEMO_SIDE_BRANCH, DEMO_TAG } from './create-demo-project.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd });
  return stdout;
}

async function python(cwd: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  await run('python3', [script], { cwd, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(obj: unknown, ...path: string[]): number {
  let node: unknown = obj;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  if (typeof node !== 'number') throw new Error(`expected a number at ${path.join('.')}`);
  return node;
}

async function setParams(cwd: string, values: Record<string, number>): Promise<void> {
  const file = join(cwd, 'params.yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  for (const [key, value] of Object.entries(values)) doc.setIn(key.split('.'), value);
  await writeFile(file, doc.toString(), 'utf8');
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

let root = '';
let repo = '';
let commits = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kiln-demo-'));
  repo = join(root, 'demo');
  ({ commits } = await createDemoProject(repo));
});

afterAll(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('createDemoProject', () => {
  it('makes a non-bare repository with branches, an annotated tag and a [skip studio] commit', async () => {
    expect(commits).toBeGreaterThanOrEqual(5);
    expect(commits).toBeLessThanOrEqual(8);
    expect((await git(repo, ['rev-parse', '--is-bare-repository'])).trim()).toBe('false');
    expect((await git(repo, ['rev-list', '--all', '--count'])).trim()).toBe(String(commits));
    expect((await git(repo, ['status', '--porcelain'])).trim()).toBe('');
    expect((await git(repo, ['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('main');

    const branches = (await git(repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads'])).split(
      '\n',
    );
    expect(branches).toEqual(expect.arrayContaining(['main', DEMO_SIDE_BRANCH]));
    expect((await git(repo, ['cat-file', '-t', DEMO_TAG])).trim()).toBe('tag');
    const tagged = await git(repo, ['log', '-1', '--format=%s', `${DEMO_TAG}^{commit}`]);
    expect(tagged).toMatch(/L2/);

    const log = await git(repo, ['log', '--all', '--format=%H%x09%an%x09%at%x09%s']);
    const rows = log.trim().split('\n');
    expect(rows).toHaveLength(commits);
    expect(rows.filter((r) => r.includes('[skip studio]'))).toHaveLength(1);
    const times = rows.map((r) => Number(r.split('\t')[2]));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(7 * 24 * 3600);
    expect(new Set(rows.map((r) => r.split('\t')[1])).size).toBeGreaterThan(1);

    const sideOnly = await git(repo, ['rev-list', `main..${DEMO_SIDE_BRANCH}`]);
    expect(sideOnly.trim().split('\n')).toHaveLength(1);

    const tracked = (await git(repo, ['ls-files'])).split('\n');
    for (const file of [
      'dvc.yaml',
      'params.yaml',
      'requirements.txt',
      '.gitignore',
      'README.md',
      'data/generate.py',
      'train.py',
      'evaluate.py',
      'eval/metrics.json',
      'eval/plots/roc.json',
      'eval/plots/confusion.json',
      'dvclive/metrics.json',
      'dvclive/plots/metrics/train/loss.tsv',
      'dvclive/params.yaml',
    ]) {
      expect(tracked).toContain(file);
    }
    expect(tracked).not.toContain('data/dataset.csv');
    expect(tracked).not.toContain('model.json');
  });

  it('declares stages, params, metrics and plots in dvc.yaml', async () => {
    const dvc: unknown = parse(await readFile(join(repo, 'dvc.yaml'), 'utf8'));
    if (!isRecord(dvc) || !isRecord(dvc.stages)) throw new Error('dvc.yaml has no stages');
    expect(Object.keys(dvc.stages)).toEqual(['generate', 'train', 'evaluate']);
    const text = JSON.stringify(dvc);
    for (const piece of [
      'train.lr',
      'data.seed',
      'eval/metrics.json',
      'dvclive/metrics.json',
      'dvclive/plots/metrics',
    ]) {
      expect(text).toContain(piece);
    }
    // As DVCLive's make_dvcyaml writes it: the params it logged show for every commit.
    expect(isRecord(dvc) && dvc.params).toEqual(['dvclive/params.yaml']);
    expect(Array.isArray(dvc.plots)).toBe(true);
    const params: unknown = parse(await readFile(join(repo, 'params.yaml'), 'utf8'));
    expect(num(params, 'train', 'lr')).toBeGreaterThan(0);
    expect(await readFile(join(repo, 'params.yaml'), 'utf8')).toMatch(/#/);
  });

  it('carries metrics of a real run in every commit, with DVCLive files of one row per epoch', async () => {
    const revs = (await git(repo, ['rev-list', '--all'])).trim().split('\n');
    const accuracies = new Set<number>();
    for (const rev of revs) {
      const evalMetrics: unknown = JSON.parse(await git(repo, ['show', `${rev}:eval/metrics.json`]));
      for (const key of ['accuracy', 'precision', 'recall', 'f1', 'log_loss']) {
        expect(num(evalMetrics, key)).toBeGreaterThanOrEqual(0);
      }
      accuracies.add(num(evalMetrics, 'accuracy'));

      const params: unknown = parse(await git(repo, ['show', `${rev}:params.yaml`]));
      const epochs = num(params, 'train', 'epochs');
      const live: unknown = JSON.parse(await git(repo, ['show', `${rev}:dvclive/metrics.json`]));
      expect(num(live, 'step')).toBe(epochs - 1);
      num(live, 'train', 'loss');

      const tsvs = (await git(repo, ['ls-tree', '-r', '--name-only', rev, 'dvclive/plots/metrics']))
        .trim()
        .split('\n');
      expect(tsvs).toEqual(expect.arrayContaining(['dvclive/plots/metrics/train/loss.tsv']));
      for (const path of tsvs) {
        expect(path).toMatch(/\.tsv$/);
        const lines = (await git(repo, ['show', `${rev}:${path}`])).trimEnd().split('\n');
        const name = path
          .split('/')
          .pop()
          ?.replace(/\.tsv$/, '');
        expect(lines[0]).toBe(`step\t${name}`);
        expect(lines).toHaveLength(epochs + 1);
        lines.slice(1).forEach((line, i) => {
          const [step, value] = line.split('\t');
          expect(Number(step)).toBe(i);
          expect(Number.isFinite(Number(value))).toBe(true);
        });
      }
    }
    expect(accuracies.size).toBeGreaterThanOrEqual(4);
  });

  it('trains for real in a fresh clone: the learning rate moves the metrics', async () => {
    const clone = join(root, 'clone');
    await run('git', ['clone', '-q', repo, clone]);
    await python(clone, 'data/generate.py');

    const accuracyFor = async (lr: number): Promise<{ accuracy: number; loss: number }> => {
      await setParams(clone, { 'train.lr': lr, 'train.epochs': 8 });
      await python(clone, 'train.py');
      await python(clone, 'evaluate.py');
      const metrics = await readJson(join(clone, 'eval', 'metrics.json'));
      const lossTsv = await readFile(join(clone, 'dvclive/plots/metrics/train/loss.tsv'), 'utf8');
      expect(lossTsv.trimEnd().split('\n')).toHaveLength(9);
      const live = await readJson(join(clone, 'dvclive', 'metrics.json'));
      expect(num(live, 'step')).toBe(7);
      return { accuracy: num(metrics, 'accuracy'), loss: num(metrics, 'log_loss') };
    };
    const slow = await accuracyFor(0.001);
    const fast = await accuracyFor(0.3);
    expect(fast.accuracy - slow.accuracy).toBeGreaterThan(0.1);
    expect(slow.loss - fast.loss).toBeGreaterThan(0.1);
    expect(await readdir(join(clone, 'dvclive', 'plots', 'metrics'))).toEqual(
      expect.arrayContaining(['train']),
    );
  });

  it('appends DVCLive rows while training runs, and explains a broken params.yaml', async () => {
    const clone = join(root, 'live');
    await run('git', ['clone', '-q', repo, clone]);
    await python(clone, 'data/generate.py');
    await setParams(clone, { 'train.epochs': 6 });

    const child = spawn('python3', ['train.py'], {
      cwd: clone,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', DEMO_EPOCH_DELAY: '0.25' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const seen = new Set<number>();
    let done = false;
    void exited.then(() => {
      done = true;
    });
    while (!done) {
      const text = await readFile(join(clone, 'dvclive/plots/metrics/train/loss.tsv'), 'utf8').catch(
        () => '',
      );
      if (text !== '') seen.add(text.trimEnd().split('\n').length - 1);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await exited).toBe(0);
    expect([...seen].some((rows) => rows > 0 && rows < 6)).toBe(true);

    await writeFile(join(clone, 'params.yaml'), 'train:\n  lr: 0.1\n    epochs: 3\n', 'utf8');
    await expect(python(clone, 'train.py')).rejects.toThrow(/params\.yaml:3: bad indentation/);
  });

  it('refuses a directory that is not empty', async () => {
    await expect(createDemoProject(repo)).rejects.toThrow(/not empty/);
  });
});
