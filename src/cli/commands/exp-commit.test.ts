import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

// `npm test` builds first, so the real bin runs; without a build, tsx runs the source.
const ROOT = path.resolve(import.meta.dirname, '../../..');
const BUILT = existsSync(path.join(ROOT, 'dist/cli/commands/exp-commit.js'));
const ENTRY = BUILT
  ? [path.join(ROOT, 'bin/kiln.js')]
  : ['--import', 'tsx', path.resolve(import.meta.dirname, '../main.ts')];

function kiln(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...ENTRY, ...args],
      { env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

let s: TestServer;
let remote: string;
beforeAll(async () => {
  s = await startTestServer();
  const repo = new TestRepo();
  repo.write('params.yaml', 'train:\n  lr: 0.1 # small\n').write('conf/p.json', '{"depth": 3}\n');
  repo.commit('baseline');
  remote = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-remote-')), 'r.git');
  execFileSync('git', ['clone', '-q', '--bare', repo.dir, remote]);
  await s.api('POST', '/api/projects', { name: 'cli', source: remote });
  await s.api('POST', '/api/projects/cli/reload');
});
afterAll(() => s.close());

it('kiln exp commit pushes one commit to a new branch and says there is no PR on plain Git', async () => {
  const env = { KILN_URL: s.url, KILN_TOKEN: s.token };
  const r = await kiln(
    [
      'exp',
      'commit',
      'cli',
      '--rev',
      'main',
      '-S',
      'train.lr=0.05',
      '-S',
      'conf/p.json:depth=4',
      '-m',
      'CLI try',
      '--branch',
      'cli-try',
    ],
    env,
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const rev = execFileSync('git', ['rev-parse', 'refs/heads/cli-try'], {
    cwd: remote,
    encoding: 'utf8',
  }).trim();
  expect(r.stdout).toContain(`commit ${rev} pushed to cli-try`);
  expect(r.stdout).toContain('no pull request');
  const show = (f: string) => execFileSync('git', ['show', `${rev}:${f}`], { cwd: remote, encoding: 'utf8' });
  expect(show('params.yaml')).toBe('train:\n  lr: 0.05 # small\n');
  expect(JSON.parse(show('conf/p.json'))).toEqual({ depth: 4 });

  const sweep = await kiln(
    ['exp', 'commit', 'cli', '--rev', 'main', '-S', 'train.lr=0.1,0.2', '-m', 'x'],
    env,
  );
  expect(sweep.code).toBe(1); // refused by the server, which reads -S for `exp run` too
  expect(sweep.stderr).toContain('not a sweep');
}, 300_000); // two CLI processes under tsx: slow on a loaded machine
