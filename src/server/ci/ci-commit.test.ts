import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TablePage } from '../../contracts/api.js';
import { CiCommitResult } from '../../contracts/ci.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

const PARAMS = '# training settings\ntrain:\n  lr: 0.1 # keep it small\n  epochs: 10\nseed: 1\n';

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'O',
      GIT_AUTHOR_EMAIL: 'o@x',
      GIT_COMMITTER_NAME: 'O',
      GIT_COMMITTER_EMAIL: 'o@x',
    },
  }).trim();
}

/** Someone else pushes to the remote's main meanwhile. */
function pushElsewhere(remote: string, file: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-other-'));
  gitIn(tmpdir(), 'clone', '-q', remote, dir);
  writeFileSync(path.join(dir, file), text);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', `other: ${file}`);
  gitIn(dir, 'push', '-q', 'origin', 'HEAD:main');
  const sha = gitIn(dir, 'rev-parse', 'HEAD');
  rmSync(dir, { recursive: true, force: true });
  return sha;
}

let s: TestServer;
let remote: string;
let first: string;

async function commit(body: unknown) {
  return s.api('POST', '/api/projects/p/ci-commits', body);
}

beforeAll(async () => {
  s = await startTestServer();
  const repo = new TestRepo();
  repo.write('params.yaml', PARAMS).write('train.py', 'print(1)\n');
  first = repo.commit('baseline');
  remote = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-remote-')), 'ml.git');
  execFileSync('git', ['clone', '-q', '--bare', repo.dir, remote]);
  expect((await s.api('POST', '/api/projects', { name: 'p', source: remote })).status).toBe(201);
  expect((await s.api('POST', '/api/projects/p/reload')).status).toBe(200);
});
afterAll(() => s.close());

describe('POST /api/projects/:name/ci-commits against a real bare remote', () => {
  it('pushes a new branch with the params edit, comments kept; plain Git says there is no PR; the table shows it at once', async () => {
    const r = await commit({
      rev: 'main',
      params: [{ file: 'params.yaml', key: 'train.lr', value: 0.2 }],
      message: 'Try lr 0.2',
      description: 'Does a larger step help?',
      branch: { kind: 'new', name: 'exp-lr' },
    });
    expect(r.status).toBe(201);
    const res = CiCommitResult.parse(r.json);
    expect(res).toMatchObject({ branch: 'exp-lr', base: 'main', rebased: false, forge: 'git' });
    expect(res.pullRequest).toMatchObject({ state: 'none', reason: expect.stringContaining('plain Git') });
    expect(gitIn(remote, 'rev-parse', 'refs/heads/exp-lr')).toBe(res.rev);
    expect(gitIn(remote, 'rev-parse', `${res.rev}^`)).toBe(first);
    expect(gitIn(remote, 'show', `${res.rev}:params.yaml`)).toBe(
      PARAMS.replace('lr: 0.1', 'lr: 0.2').trimEnd(),
    );
    expect(gitIn(remote, 'log', '-1', '--format=%B', res.rev)).toBe('Try lr 0.2\n\nDoes a larger step help?');
    const table = TablePage.parse((await s.api('GET', '/api/projects/p/table')).json);
    expect(table.rows.find((row) => row.rev === res.rev)?.params['params.yaml']).toMatchObject({
      train: { lr: 0.2 },
    });
  });

  it('a new branch gets a DVC-style name by default; an existing branch name is a 409', async () => {
    const r = CiCommitResult.parse((await commit({ rev: first, message: 'rerun' })).json);
    expect(r.branch).toMatch(/^[a-z]+-[a-z]+$/);
    const dup = await commit({ rev: first, message: 'again', branch: { kind: 'new', name: 'exp-lr' } });
    expect(dup.status).toBe(409);
  });

  it('commits onto the base branch with [skip studio]; the row is hidden', async () => {
    const r = await commit({
      rev: 'main',
      params: [{ file: 'params.yaml', key: 'seed', value: 2 }],
      message: 'Seed 2',
      branch: { kind: 'base' },
      skipStudio: true,
    });
    expect(r.status).toBe(201);
    const res = CiCommitResult.parse(r.json);
    expect(gitIn(remote, 'rev-parse', 'refs/heads/main')).toBe(res.rev);
    expect(gitIn(remote, 'log', '-1', '--format=%s', 'main')).toBe('Seed 2 [skip studio]');
    expect(res.pullRequest.state).toBe('none');
    const all = TablePage.parse((await s.api('GET', '/api/projects/p/table?all=1')).json);
    expect(all.rows.find((row) => row.rev === res.rev)?.hidden).toBe(true);
  });

  it('the base moved meanwhile and the change rebases cleanly: rebased and pushed, never forced', async () => {
    const baseline = gitIn(remote, 'rev-parse', 'main');
    const other = pushElsewhere(remote, 'README.md', 'hello\n');
    const r = await commit({
      rev: baseline,
      params: [{ file: 'params.yaml', key: 'train.epochs', value: 20 }],
      message: 'More epochs',
      branch: { kind: 'base' },
    });
    expect(r.status).toBe(201);
    const res = CiCommitResult.parse(r.json);
    expect(res.rebased).toBe(true);
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(res.rev);
    expect(gitIn(remote, 'rev-parse', `${res.rev}^`)).toBe(other);
    expect(gitIn(remote, 'show', `${res.rev}:params.yaml`)).toContain('epochs: 20');
  });

  it('the base moved with a conflicting change: 409 and the remote is untouched', async () => {
    const baseline = gitIn(remote, 'rev-parse', 'main');
    const other = pushElsewhere(remote, 'params.yaml', PARAMS.replace('lr: 0.1', 'lr: 0.5'));
    const r = await commit({
      rev: baseline,
      params: [{ file: 'params.yaml', key: 'train.lr', value: 0.3 }],
      message: 'lr 0.3',
      branch: { kind: 'base' },
    });
    expect(r.status).toBe(409);
    expect(JSON.stringify(r.json)).toContain('does not rebase cleanly');
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(other);
  });

  it('a push the remote refuses (pre-receive hook) is a clear error', async () => {
    const hook = path.join(remote, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "policy: pushes are frozen" >&2\nexit 1\n', { mode: 0o755 });
    try {
      const before = gitIn(remote, 'rev-parse', 'main');
      const r = await commit({ rev: 'main', message: 'blocked', branch: { kind: 'new', name: 'blocked' } });
      expect(r.status).toBe(502);
      expect(JSON.stringify(r.json)).toContain('policy: pushes are frozen');
      expect(gitIn(remote, 'rev-parse', 'main')).toBe(before);
    } finally {
      rmSync(hook);
    }
  });

  it('refuses unknown params, revs, projects and bad bodies', async () => {
    const key = await commit({
      rev: 'main',
      params: [{ file: 'params.yaml', key: 'train.nope', value: 1 }],
      message: 'x',
    });
    expect(key.status).toBe(400);
    expect(JSON.stringify(key.json)).toContain('train.nope');
    expect((await commit({ rev: 'nosuchbranch', message: 'x' })).status).toBe(404);
    expect((await commit({ rev: 'main', message: '' })).status).toBe(400);
    expect((await s.api('POST', '/api/projects/nope/ci-commits', { rev: 'main', message: 'x' })).status).toBe(
      404,
    );
  });

  it('GET /commits/:rev/ci on a plain Git project says there is no CI to read', async () => {
    const r = await s.api('GET', '/api/projects/p/commits/main/ci');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      forge: 'git',
      state: 'none',
      checks: [],
      note: expect.stringContaining('plain Git'),
    });
    expect((await s.api('GET', '/api/projects/p/commits/deadbeef/ci')).status).toBe(404);
  });
});
