import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDvcLock, type DvcLock } from '../../core/dvc/dvc-lock.js';
import { md5Text } from '../hash.js';
import { LocalStore } from '../remote/local-store.js';
import { runPipeline } from './run.js';
import { pullPipeline, pushPipeline } from './sync.js';

const quiet = { log: () => {}, output: () => {} };
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};

/** What the stage writes into results/out: the files DVC tracks, then those .dvcignore leaves out. */
const KEPT: Record<string, string> = {
  'a.txt': 'alpha\n',
  'sub/b.txt': 'beta\n',
  'sub/deep/g.txt': 'gamma\n',
  // a file named like the ignored directory pattern `scratch/` is still tracked
  'sub/scratch': 'a file, not a directory\n',
};
const IGNORED: Record<string, string> = {
  'c.tmp': 'ignored tmp 1\n',
  'sub/deep/d.tmp': 'ignored tmp 2\n',
  'scratch/e.txt': 'ignored scratch\n',
  'sub/deep/scratch/h.txt': 'ignored nested scratch\n',
  'run.log': 'ignored log\n',
  'sub/f.log': 'ignored nested log\n',
  '.git/HEAD': 'ignored by DVC by default\n',
};

function makeScript(files: Record<string, string>): string {
  const lines = ['set -e'];
  for (const [rel, text] of Object.entries(files)) {
    const path = `results/out/${rel}`;
    lines.push(`mkdir -p "$(dirname '${path}')"`, `printf '%s' '${text}' > '${path}'`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A Git work tree whose stage `make` writes results/out, with a root .dvcignore (`*.tmp`,
 * `scratch/`) and a nested results/.dvcignore (`*.log`); `use` reads the directory.
 */
function project(): string {
  const ws = tempDir('kiln-dvcignore-outs-');
  execFileSync('git', ['init', '-q'], { cwd: ws });
  mkdirSync(join(ws, 'results'));
  writeFileSync(join(ws, '.dvcignore'), '# scratch data\n*.tmp\nscratch/\n');
  writeFileSync(join(ws, 'results', '.dvcignore'), '*.log\n');
  writeFileSync(join(ws, 'make.sh'), makeScript({ ...KEPT, ...IGNORED }));
  writeFileSync(
    join(ws, 'dvc.yaml'),
    [
      'stages:',
      '  make:',
      '    cmd: bash make.sh',
      '    deps: [make.sh]',
      '    outs: [results/out]',
      '  use:',
      '    cmd: cat results/out/a.txt > used.txt',
      '    deps: [results/out]',
      '    outs: [used.txt]',
      '',
    ].join('\n'),
  );
  return ws;
}

/** The .dir manifest DVC builds over `rels` under `root`, computed by Python as DVC does. */
function dvcManifest(
  root: string,
  rels: string[],
): { md5: string; size: number; nfiles: number; text: string } {
  const py = [
    'import hashlib, json, os, sys',
    'root, rels = sys.argv[1], sys.argv[2:]',
    'm = sorted(({"md5": hashlib.md5(open(os.path.join(root, r), "rb").read()).hexdigest(), "relpath": r} for r in rels), key=lambda e: e["relpath"])',
    'text = json.dumps(m, sort_keys=True)',
    'size = sum(os.path.getsize(os.path.join(root, r)) for r in rels)',
    'print(json.dumps({"md5": hashlib.md5(text.encode()).hexdigest() + ".dir", "size": size, "nfiles": len(rels), "text": text}))',
  ].join('\n');
  const out = JSON.parse(execFileSync('python3', ['-c', py, root, ...rels], { encoding: 'utf8' })) as {
    md5: string;
    size: number;
    nfiles: number;
    text: string;
  };
  // cross-check the manifest's md5 with md5sum
  const file = join(tempDir('kiln-manifest-'), 'manifest.json');
  writeFileSync(file, out.text);
  expect(`${execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0] ?? ''}.dir`).toBe(out.md5);
  return out;
}

function lockOf(ws: string): DvcLock {
  const lock = parseDvcLock(readFileSync(join(ws, 'dvc.lock'), 'utf8'));
  if (!lock.ok) throw new Error(lock.error);
  return lock.value;
}

const ran = async (ws: string, dry = false): Promise<string[]> =>
  (await runPipeline({ root: ws, dry, ...quiet })).ran;

describe('kiln pipeline leaves out of a tracked directory what .dvcignore excludes, as DVC does', () => {
  it('records the md5, size and nfiles DVC computes, caches only the tracked files, and ignores changes to the rest', async () => {
    const ws = project();
    expect(await ran(ws)).toEqual(['make', 'use']);
    const out = join(ws, 'results', 'out');
    for (const rel of Object.keys(IGNORED)) expect(existsSync(join(out, rel))).toBe(true);

    const expected = dvcManifest(out, Object.keys(KEPT));
    const lock = lockOf(ws);
    const made = lock.stages.find((s) => s.name === 'make')?.outs[0];
    expect(made).toMatchObject({ path: 'results/out', md5: expected.md5, size: expected.size, nfiles: 4 });
    expect(expected.nfiles).toBe(4);
    expect(lock.stages.find((s) => s.name === 'use')?.deps[0]).toMatchObject({
      path: 'results/out',
      md5: expected.md5,
      nfiles: 4,
    });

    // the cache holds the manifest as DVC writes it, the tracked files, and none of the ignored ones
    const cache = new LocalStore(join(ws, '.dvc', 'cache'));
    expect(await cache.readText(expected.md5)).toBe(expected.text);
    for (const text of Object.values(KEPT)) expect(await cache.has(md5Text(text))).toBe(true);
    for (const text of Object.values(IGNORED)) expect(await cache.has(md5Text(text))).toBe(false);

    expect(await runPipeline({ root: ws, ...quiet })).toEqual({ ran: [], skipped: ['make', 'use'] });

    // ignored files changed, added or removed: still up to date
    appendFileSync(join(out, 'c.tmp'), 'more\n');
    appendFileSync(join(out, 'scratch', 'e.txt'), 'more\n');
    appendFileSync(join(out, 'sub', 'f.log'), 'more\n');
    writeFileSync(join(out, 'sub', 'new.tmp'), 'new\n');
    mkdirSync(join(out, 'sub', 'deep', 'scratch', 'more'), { recursive: true });
    writeFileSync(join(out, 'sub', 'deep', 'scratch', 'more', 'x.bin'), 'x');
    rmSync(join(out, 'run.log'));
    expect(await ran(ws, true)).toEqual([]);
    expect(await runPipeline({ root: ws, ...quiet })).toEqual({ ran: [], skipped: ['make', 'use'] });
    expect(lockOf(ws)).toEqual(lock);

    // a tracked file changed: the stage and its downstream would run
    appendFileSync(join(out, 'sub', 'b.txt'), 'changed\n');
    expect(await ran(ws, true)).toEqual(['make', 'use']);
    // the stage writes the same tracked files again, so its downstream stays up to date
    expect(await ran(ws)).toEqual(['make']);
    expect(lockOf(ws)).toEqual(lock);

    // a new tracked file changes the directory too
    writeFileSync(join(out, 'extra.txt'), 'extra\n');
    expect(await ran(ws, true)).toEqual(['make', 'use']);
  }, 60_000);

  it('pushes only the tracked files; pull restores them and keeps the ignored ones', async () => {
    const ws = project();
    const remoteDir = tempDir('kiln-dvcignore-remote-');
    mkdirSync(join(ws, '.dvc'), { recursive: true });
    writeFileSync(
      join(ws, '.dvc', 'config'),
      `[core]\n    remote = r\n['remote "r"']\n    url = ${remoteDir}\n`,
    );
    await ran(ws);
    const out = join(ws, 'results', 'out');
    const expected = dvcManifest(out, Object.keys(KEPT));

    await pushPipeline(ws);
    const remote = new LocalStore(remoteDir);
    expect(await remote.readText(expected.md5)).toBe(expected.text);
    for (const text of Object.values(KEPT)) expect(await remote.has(md5Text(text))).toBe(true);
    for (const text of Object.values(IGNORED)) expect(await remote.has(md5Text(text))).toBe(false);

    // only ignored files differ: nothing to check out
    writeFileSync(join(out, 'local.tmp'), 'mine\n');
    expect((await pullPipeline(ws)).checkedOut).toEqual([]);

    // a tracked file changed and one added: pull restores the directory, ignored files stay
    writeFileSync(join(out, 'a.txt'), 'edited\n');
    writeFileSync(join(out, 'sub', 'deep', 'stray.txt'), 'stray\n');
    expect((await pullPipeline(ws)).checkedOut).toEqual(['results/out']);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe(KEPT['a.txt']);
    expect(existsSync(join(out, 'sub', 'deep', 'stray.txt'))).toBe(false);
    expect(readFileSync(join(out, 'local.tmp'), 'utf8')).toBe('mine\n');
    for (const [rel, text] of Object.entries(IGNORED))
      expect(readFileSync(join(out, rel), 'utf8')).toBe(text);
    expect(await runPipeline({ root: ws, ...quiet })).toEqual({ ran: [], skipped: ['make', 'use'] });
  }, 60_000);

  it('refuses a .dvcignore inside a tracked directory, as DVC does, and writes no dvc.lock', async () => {
    const ws = project();
    appendFileSync(join(ws, 'make.sh'), `printf '*.bin\\n' > results/out/sub/.dvcignore\n`);
    await expect(runPipeline({ root: ws, ...quiet })).rejects.toThrow(
      /'results\/out\/sub\/\.dvcignore': DVC does not collect a tracked directory holding a \.dvcignore/,
    );
    expect(existsSync(join(ws, 'dvc.lock'))).toBe(false);

    // one the project's .dvcignore itself leaves out is neither collected nor refused
    appendFileSync(join(ws, '.dvcignore'), 'results/out/sub/.dvcignore\n');
    expect(await ran(ws)).toEqual(['make', 'use']);
    expect(lockOf(ws).stages[0]?.outs[0]?.md5).toBe(
      dvcManifest(join(ws, 'results', 'out'), Object.keys(KEPT)).md5,
    );
  }, 60_000);

  it('refuses a stage whose output .dvcignore leaves out', async () => {
    const ws = project();
    writeFileSync(
      join(ws, 'dvc.yaml'),
      'stages:\n  t:\n    cmd: echo x > results/x.log\n    outs: [results/x.log]\n',
    );
    await expect(runPipeline({ root: ws, ...quiet })).rejects.toThrow(
      /stage 't' has an output that \.dvcignore leaves out, which DVC cannot track: 'results\/x\.log'/,
    );
    expect(existsSync(join(ws, 'results', 'x.log'))).toBe(false);
  });
});
