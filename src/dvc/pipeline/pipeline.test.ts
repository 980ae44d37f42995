import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDvcLock } from '../../core/dvc/dvc-lock.js';
import type { TransferProgress } from '../remote/transfer.js';
import { hashPath } from '../workspace.js';
import { HashState } from '../hash-state.js';
import { PipelineError } from './project.js';
import { runPipeline } from './run.js';
import { pullPipeline, pushPipeline } from './sync.js';
import { MAKE_DVC_PROJECT } from '../../../test/fixtures.js';

const FIXTURE = MAKE_DVC_PROJECT;
const quiet = { log: () => {}, output: () => {} };
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });

describe('pipeline on a make-dvc-project fixture', () => {
  let origin = '';
  beforeAll(() => {
    origin = join(mkdtempSync(join(tmpdir(), 'kiln-fixture-')), 'repo');
    execFileSync('python3', [FIXTURE, origin, '--commits', '5'], { stdio: 'ignore' });
  }, 60_000);

  it('pull then run --force reproduces a commit’s dvc.lock byte for byte; a second run skips all; a touched dep reruns its downstream', async () => {
    const ws = join(mkdtempSync(join(tmpdir(), 'kiln-ws-')), 'ws');
    git(tmpdir(), 'clone', '-q', origin, ws);
    git(ws, 'checkout', '-q', 'HEAD~2');
    const expected = git(ws, 'show', 'HEAD:dvc.lock');

    const pulled = await pullPipeline(ws);
    expect(pulled.missing).toEqual([]);
    expect(pulled.checkedOut).toContain('data/data.xml');

    const forced = await runPipeline({ root: ws, force: true, ...quiet });
    expect(forced.ran).toEqual(['prepare', 'featurize', 'train', 'evaluate']);
    expect(readFileSync(join(ws, 'dvc.lock'), 'utf8')).toBe(expected);
    expect(git(ws, 'status', '--porcelain')).toBe('');

    // every output matches its recorded md5
    const lock = parseDvcLock(expected);
    if (!lock.ok) throw new Error(lock.error);
    const state = await HashState.open(join(ws, '.dvc', 'tmp', 'check.json'));
    for (const s of lock.value.stages)
      for (const o of s.outs) expect((await hashPath(join(ws, o.path), state))?.md5).toBe(o.md5);

    expect(await runPipeline({ root: ws, ...quiet })).toEqual({
      ran: [],
      skipped: ['prepare', 'featurize', 'train', 'evaluate'],
    });

    appendFileSync(join(ws, 'src', 'evaluate.py'), '\n# touched\n');
    expect((await runPipeline({ root: ws, dry: true, ...quiet })).ran).toEqual(['evaluate']);
    expect((await runPipeline({ root: ws, ...quiet })).ran).toEqual(['evaluate']);

    appendFileSync(join(ws, 'src', 'pipeline.py'), '\n# touched\n');
    expect((await runPipeline({ root: ws, dry: true, ...quiet })).ran).toEqual([
      'prepare',
      'featurize',
      'train',
      'evaluate',
    ]);
    expect((await runPipeline({ root: ws, ...quiet })).ran).toEqual([
      'prepare',
      'featurize',
      'train',
      'evaluate',
    ]);

    // targets run with their upstream only
    expect((await runPipeline({ root: ws, targets: ['featurize'], force: true, ...quiet })).ran).toEqual([
      'prepare',
      'featurize',
    ]);
  }, 180_000);

  it('reproduces dvc.lock at the first and the last commit too', async () => {
    for (const rev of ['HEAD~4', 'HEAD']) {
      const ws = join(mkdtempSync(join(tmpdir(), 'kiln-rev-')), 'ws');
      git(tmpdir(), 'clone', '-q', origin, ws);
      git(ws, 'checkout', '-q', rev);
      await pullPipeline(ws);
      await runPipeline({ root: ws, force: true, ...quiet });
      expect(readFileSync(join(ws, 'dvc.lock'), 'utf8')).toBe(git(ws, 'show', 'HEAD:dvc.lock'));
      expect(git(ws, 'status', '--porcelain')).toBe('');
    }
  }, 180_000);

  it('pushes outputs to a fresh remote that a clean checkout can pull from', async () => {
    const ws = join(mkdtempSync(join(tmpdir(), 'kiln-push-')), 'ws');
    git(tmpdir(), 'clone', '-q', origin, ws);
    await pullPipeline(ws);
    const remote = mkdtempSync(join(tmpdir(), 'kiln-remote2-'));
    writeFileSync(
      join(ws, '.dvc', 'config.local'),
      `[core]\n    remote = mine\n['remote "mine"']\n    url = ${remote}\n`,
    );
    const pushed = await pushPipeline(ws);
    expect(pushed.transferred.length).toBeGreaterThan(0);
    expect(pushed.missing).toEqual([]);

    const ws2 = join(mkdtempSync(join(tmpdir(), 'kiln-pull-')), 'ws');
    git(tmpdir(), 'clone', '-q', origin, ws2);
    writeFileSync(
      join(ws2, '.dvc', 'config.local'),
      `[core]\n    remote = mine\n['remote "mine"']\n    url = ${remote}\n`,
    );
    const reports: TransferProgress[] = [];
    const pulled = await pullPipeline(ws2, { onProgress: (p) => reports.push(p) });
    expect(pulled.checkedOut.sort()).toEqual([
      'data/data.xml',
      'data/features',
      'data/prepared',
      'model.pkl',
    ]);
    // the pull's bytes add up to the sizes dvc.lock and the .dvc file record for what it checked out
    const lock = parseDvcLock(readFileSync(join(ws2, 'dvc.lock'), 'utf8'));
    if (!lock.ok) throw new Error(lock.error);
    const recorded = new Map<string, number>();
    for (const st of lock.value.stages) for (const o of st.outs) recorded.set(o.path, o.size ?? NaN);
    recorded.set(
      'data/data.xml',
      Number(/size: (\d+)/.exec(readFileSync(join(ws2, 'data', 'data.xml.dvc'), 'utf8'))?.[1]),
    );
    const total = pulled.checkedOut.reduce((sum, path) => sum + (recorded.get(path) ?? NaN), 0);
    expect(total).toBeGreaterThan(0);
    expect(reports.at(-1)).toEqual({
      objectsDone: reports.at(-1)?.objectsTotal,
      objectsTotal: pulled.transferred.length,
      bytesDone: total,
      bytesTotal: total,
    });
    for (const [i, p] of reports.entries())
      expect(p.bytesDone).toBeGreaterThanOrEqual(reports[i - 1]?.bytesDone ?? 0);
  }, 60_000);
});

describe('pipeline on hand-written projects', () => {
  it('stops at a failing stage, names it and its command, and keeps dvc.lock consistent', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'kiln-fail-'));
    writeFileSync(join(ws, 'in.txt'), 'x');
    writeFileSync(
      join(ws, 'dvc.yaml'),
      'stages:\n  a:\n    cmd: cp in.txt a.txt\n    deps: [in.txt]\n    outs: [a.txt]\n  b:\n    cmd: exit 3\n    deps: [a.txt]\n    outs: [b.txt]\n',
    );
    const err = await runPipeline({ root: ws, ...quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({
      stage: 'b',
      cmd: 'exit 3',
      message: "stage 'b' failed: `exit 3` exited with code 3",
    });
    const lock = parseDvcLock(readFileSync(join(ws, 'dvc.lock'), 'utf8'));
    expect(lock.ok && lock.value.stages.map((s) => s.name)).toEqual(['a']);
  });

  it('runs foreach stages in their wdir with params and caches outs', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'kiln-foreach-'));
    git(ws, 'init', '-q');
    mkdirSync(join(ws, 'w'));
    writeFileSync(join(ws, 'params.yaml'), 'names: [x, y]\nscale: 1.0\n');
    writeFileSync(
      join(ws, 'dvc.yaml'),
      'stages:\n  gen:\n    foreach: ${names}\n    do:\n      wdir: w\n      cmd: mkdir -p out-${item} && echo ${item} > out-${item}/f.txt\n      params: [{../params.yaml: [scale]}]\n      outs:\n        - out-${item}\n',
    );
    const r = await runPipeline({ root: ws, ...quiet });
    expect(r.ran).toEqual(['gen@x', 'gen@y']);
    const text = readFileSync(join(ws, 'dvc.lock'), 'utf8');
    expect(text).toContain(
      '  gen@x:\n    cmd: mkdir -p out-x && echo x > out-x/f.txt\n    params:\n      ../params.yaml:\n        scale: 1.0\n    outs:\n    - path: out-x\n',
    );
    const lock = parseDvcLock(text);
    const oid = lock.ok ? lock.value.stages[0]?.outs[0]?.md5 : undefined;
    expect(oid).toMatch(/\.dir$/);
    expect(
      existsSync(join(ws, '.dvc', 'cache', 'files', 'md5', (oid ?? '').slice(0, 2), (oid ?? '').slice(2))),
    ).toBe(true);
    expect(readFileSync(join(ws, 'w', '.gitignore'), 'utf8')).toBe('/out-x\n/out-y\n');
    expect((await runPipeline({ root: ws, ...quiet })).ran).toEqual([]);
    writeFileSync(join(ws, 'params.yaml'), 'names: [x, y]\nscale: 2\n');
    expect((await runPipeline({ root: ws, targets: ['gen@y'], ...quiet })).ran).toEqual(['gen@y']);
  });
  it('writes JSON, TOML and Python floats such as 1.0 into dvc.lock as floats, as DVC does', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'kiln-floats-'));
    git(ws, 'init', '-q');
    writeFileSync(join(ws, 'p.json'), '{"lr": 1.0, "steps": 10, "decay": 1e2, "nested": {"w": [2.0, 3]}}\n');
    writeFileSync(join(ws, 'p.toml'), 'lr = 1.0\nsteps = 10\n[opt]\nmomentum = 0.0\n');
    writeFileSync(join(ws, 'p.py'), 'LR = 1.0\nDECAY = -2e3\nSTEPS = 10\n');
    writeFileSync(
      join(ws, 'dvc.yaml'),
      'stages:\n  s:\n    cmd: echo ok > o.txt\n    params:\n    - p.json:\n      - lr\n      - steps\n      - decay\n      - nested\n    - p.toml:\n      - lr\n      - steps\n      - opt.momentum\n    - p.py:\n      - LR\n      - DECAY\n      - STEPS\n    outs: [o.txt]\n',
    );
    await runPipeline({ root: ws, ...quiet });
    expect(readFileSync(join(ws, 'dvc.lock'), 'utf8')).toContain(
      '    params:\n      p.json:\n        decay: 100.0\n        lr: 1.0\n        nested:\n          w:\n          - 2.0\n          - 3\n        steps: 10\n' +
        '      p.py:\n        DECAY: -2000.0\n        LR: 1.0\n        STEPS: 10\n' +
        '      p.toml:\n        lr: 1.0\n        opt.momentum: 0.0\n        steps: 10\n',
    );
    expect((await runPipeline({ root: ws, ...quiet })).ran).toEqual([]);
    writeFileSync(join(ws, 'p.json'), '{"lr": 1, "steps": 10, "decay": 100, "nested": {"w": [2, 3]}}\n');
    // Python compares 1 == 1.0, so DVC sees no change
    expect((await runPipeline({ root: ws, ...quiet })).ran).toEqual([]);
  });
});

describe('the project lock', () => {
  it('refuses a second run while `kiln pipeline run` works in the same project, and takes over a stale lock', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'kiln-lock-'));
    writeFileSync(
      join(ws, 'dvc.yaml'),
      'stages:\n  slow:\n    cmd: touch started && sleep 4 && echo done > out.txt\n    outs: [out.txt]\n',
    );
    const repo = join(import.meta.dirname, '..', '..', '..');
    const tsx = pathToFileURL(createRequire(join(repo, 'package.json')).resolve('tsx')).href;
    const main = join(repo, 'src', 'cli', 'main.ts');
    const child = spawn(process.execPath, ['--import', tsx, main, 'pipeline', 'run'], {
      cwd: ws,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((res) => child.on('close', res));
    for (let i = 0; i < 600 && !existsSync(join(ws, 'started')); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(ws, 'started'))).toBe(true);
    const err = await runPipeline({ root: ws, force: true, ...quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(String(err)).toContain(`Unable to acquire lock: process ${child.pid} holds`);
    await expect(pushPipeline(ws)).rejects.toThrow(/Unable to acquire lock/);
    expect(await exited).toBe(0);
    expect(readFileSync(join(ws, 'out.txt'), 'utf8')).toBe('done\n');
    expect(existsSync(join(ws, '.dvc', 'tmp', 'lock'))).toBe(false);

    // a lock whose process is gone does not block
    writeFileSync(join(ws, '.dvc', 'tmp', 'lock'), ` ${child.pid}\n`);
    expect(await runPipeline({ root: ws, ...quiet })).toEqual({ ran: [], skipped: ['slow'] });
  }, 120_000);
});

describe('nested dvc.yaml files', () => {
  it('runs the stages of every dvc.yaml as one pipeline, each recorded in the dvc.lock beside its dvc.yaml', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'kiln-nested-'));
    git(ws, 'init', '-q');
    mkdirSync(join(ws, 'sub'));
    writeFileSync(join(ws, 'in.txt'), 'seed\n');
    writeFileSync(join(ws, 'params.yaml'), 'k: 1\n');
    writeFileSync(
      join(ws, 'dvc.yaml'),
      'stages:\n  a:\n    cmd: cp in.txt data.txt\n    deps: [in.txt]\n    outs: [data.txt]\n',
    );
    writeFileSync(join(ws, 'sub', 'params.yaml'), 'scale: 2.0\n');
    writeFileSync(
      join(ws, 'sub', 'dvc.yaml'),
      'stages:\n  b:\n    cmd: cat ../data.txt ../data.txt > b.txt\n    deps: [../data.txt]\n    params: [scale]\n    outs: [b.txt]\n',
    );
    expect(await runPipeline({ root: ws, ...quiet })).toEqual({ ran: ['a', 'sub/dvc.yaml:b'], skipped: [] });
    expect(readFileSync(join(ws, 'sub', 'b.txt'), 'utf8')).toBe('seed\nseed\n');
    const sub = readFileSync(join(ws, 'sub', 'dvc.lock'), 'utf8');
    expect(sub).toMatch(
      /^schema: '2\.0'\nstages:\n {2}b:\n {4}cmd: cat \.\.\/data\.txt \.\.\/data\.txt > b\.txt\n {4}deps:\n {4}- path: \.\.\/data\.txt\n/,
    );
    expect(sub).toContain('    params:\n      params.yaml:\n        scale: 2.0\n');
    expect(readFileSync(join(ws, 'dvc.lock'), 'utf8')).not.toContain('b.txt');
    expect(readFileSync(join(ws, 'sub', '.gitignore'), 'utf8')).toBe('/b.txt\n');

    expect((await runPipeline({ root: ws, ...quiet })).ran).toEqual([]);
    writeFileSync(join(ws, 'in.txt'), 'changed\n');
    expect((await runPipeline({ root: ws, ...quiet })).ran).toEqual(['a', 'sub/dvc.yaml:b']);
    writeFileSync(join(ws, 'sub', 'params.yaml'), 'scale: 3\n');
    expect((await runPipeline({ root: ws, targets: ['sub/dvc.yaml:b'], dry: true, ...quiet })).ran).toEqual([
      'sub/dvc.yaml:b',
    ]);

    // the nested stage's cached out goes to the remote with the others
    const remote = mkdtempSync(join(tmpdir(), 'kiln-nested-remote-'));
    mkdirSync(join(ws, '.dvc'), { recursive: true });
    writeFileSync(
      join(ws, '.dvc', 'config'),
      `[core]\n    remote = r\n['remote "r"']\n    url = ${remote}\n`,
    );
    const pushed = await pushPipeline(ws);
    expect(pushed.transferred).toHaveLength(2);
  });
});
