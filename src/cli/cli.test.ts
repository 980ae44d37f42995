import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { TestRepo } from '../../test/test-repo.js';

// `npm test` builds first, so the real bin runs; without a build, tsx runs the source.
const BIN = path.resolve(import.meta.dirname, '../../bin/kiln.js');
const BUILT = existsSync(path.resolve(import.meta.dirname, '../../dist/cli/main.js'));
const ENTRY = BUILT ? [BIN] : ['--import', 'tsx', path.resolve(import.meta.dirname, 'main.ts')];

function kiln(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...ENTRY, ...args],
      { env: { ...process.env, KILN_URL: '', KILN_TOKEN: '', ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let s: TestServer;
let env: Record<string, string>;
let repo: TestRepo;

beforeAll(async () => {
  s = await startTestServer();
  env = { KILN_URL: s.url, KILN_TOKEN: s.token };
  repo = new TestRepo();
  // DVCLive lists its metrics file in dvc.yaml, which is what makes DVC (and Kiln) show it
  repo
    .write('params.yaml', 'lr: 0.1\n')
    .write('dvc.yaml', 'metrics:\n- dvclive/metrics.json\n')
    .write('dvclive/metrics.json', '{"loss": 0.5, "step": 3}');
  repo.commit('first');
  repo.write('params.yaml', 'lr: 0.2\n');
  repo.commit('hidden one [skip studio]');
});
afterAll(async () => {
  await s?.close();
});

describe('kiln CLI against a real server', () => {
  it('admin token prints a working token straight from the data dir', async () => {
    const r = await kiln(['admin', 'token', '--home', s.home]);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^kiln_/);
    const me = await s.api('GET', '/api/me', undefined, { authorization: `token ${token}` });
    expect(me.status).toBe(200);
  });

  it('project add / list / reload and exp table --json in the documented shape', async () => {
    const add = await kiln(['project', 'add', 'cli-proj', repo.dir], env);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('cli-proj');
    const list = await kiln(['project', 'list', '--json'], env);
    const projects = JSON.parse(list.stdout) as Array<{ name: string; fetch: { state: string } }>;
    expect(projects.find((p) => p.name === 'cli-proj')?.fetch.state).toBe('ok');
    expect((await kiln(['project', 'reload', 'cli-proj'], env)).code).toBe(0);

    const table = await kiln(['exp', 'table', 'cli-proj', '--json'], env);
    const rows = JSON.parse(table.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      message: 'first',
      author: 'Ünïcode Tester',
      branches: [],
      tags: [],
      hidden: false,
      params: { 'params.yaml': { lr: 0.1 } },
      metrics: { 'dvclive/metrics.json': { loss: 0.5, step: 3 } },
      errors: {},
    });
    for (const key of [
      'rev',
      'message',
      'author',
      'date',
      'branches',
      'tags',
      'hidden',
      'params',
      'metrics',
      'errors',
    ])
      expect(rows[0]).toHaveProperty(key);
    const all = JSON.parse(
      (await kiln(['exp', 'table', 'cli-proj', '--json', '--all'], env)).stdout,
    ) as unknown[];
    expect(all).toHaveLength(2);
    const text = await kiln(['exp', 'table', 'cli-proj'], env);
    expect(text.stdout).toContain('params.yaml:lr');
    expect(text.stdout).toContain('0.1');
  });

  it('exp table names each experiment beside its commit', async () => {
    // An experiment DVC pushed: a commit on the first commit, under refs/exps/.
    const base = repo.git('rev-list', '--max-parents=0', 'HEAD');
    const sha = repo.git(
      'commit-tree',
      `${base}^{tree}`,
      '-p',
      base,
      '-m',
      'dvc: commit experiment tidy-lark',
    );
    repo.git('update-ref', `refs/exps/${base.slice(0, 2)}/${base.slice(2)}/tidy-lark`, sha);
    expect((await kiln(['project', 'reload', 'cli-proj'], env)).code).toBe(0);
    const text = (await kiln(['exp', 'table', 'cli-proj'], env)).stdout.split('\n');
    expect(text[0]?.split('\t').slice(0, 3)).toEqual(['rev', 'experiment', 'message']);
    const row = text.find((l) => l.startsWith(sha.slice(0, 7)))?.split('\t');
    expect(row?.[1]).toMatch(/^tidy-lark( \(\w+\))?$/);
    expect(text.find((l) => l.startsWith(base.slice(0, 7)))?.split('\t')[1]).toBe('-');
  });

  it('fails clearly: no token, unknown project, bad name, unreachable server', async () => {
    const noToken = await kiln(['project', 'list'], { KILN_URL: s.url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/no access token/);
    const unknown = await kiln(['exp', 'table', 'nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no project named "nope"/);
    const bad = await kiln(['project', 'add', 'bad/name', repo.dir], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid project name/);
    const down = await kiln(['project', 'list'], { KILN_URL: 'http://127.0.0.1:9', KILN_TOKEN: 'x' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach Kiln/);
    const wrong = await kiln(['project', 'list'], { KILN_URL: s.url, KILN_TOKEN: 'kiln_wrong' });
    expect(wrong.stderr).toMatch(/log in or send/);
  });
});
