import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatFile } from './cat-file.js';
import { listRefs, readHistory } from './history.js';
import { credentialEnv, normalizeSource, syncMirror } from './mirror.js';
import { git, GitError, gitOk } from './run-git.js';

// The git adapter on real repositories in temp dirs.
const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Ada',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
};
const run = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();

let repo = '';
const shas: Record<string, string> = {};

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'kiln-git-'));
  run(repo, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'params.yaml'), 'lr: 0.1\n');
  writeFileSync(path.join(repo, 'notes.txt'), 'first\n');
  run(repo, 'add', '-A');
  run(repo, 'commit', '-q', '-m', 'first');
  shas.first = run(repo, 'rev-parse', 'HEAD');
  writeFileSync(path.join(repo, 'params.yaml'), 'lr: 0.2\n');
  run(repo, 'rm', '-q', 'notes.txt');
  run(repo, 'commit', '-q', '-am', 'second\n\nwith a body');
  shas.second = run(repo, 'rev-parse', 'HEAD');
  run(repo, 'tag', '-a', 'v1', '-m', 'release', shas.first);
  run(repo, 'branch', 'old', shas.first);
});

describe('run-git', () => {
  it('passes arguments as they are, never through a shell, and names the failing subcommand', async () => {
    expect(await git(['rev-parse', 'HEAD'], { cwd: repo })).toBe(`${shas.second}\n`);
    const err = await git(['-c', 'x.y=1', 'rev-parse', '--verify', 'main; touch pwned'], { cwd: repo }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(/^git rev-parse failed \(exit \d+\): /);
    expect(existsSync(path.join(repo, 'pwned'))).toBe(false);
    expect(await gitOk(['merge-base', '--is-ancestor', shas.first ?? '', 'main'], { cwd: repo })).toBe(true);
    expect(await gitOk(['merge-base', '--is-ancestor', 'main', shas.first ?? ''], { cwd: repo })).toBe(false);
  });
});

describe('cat-file', () => {
  const cat = () => new CatFile(repo);

  it('answers many reads in order from one process, null for what does not exist', async () => {
    const c = cat();
    try {
      const [a, b, none, info] = await Promise.all([
        c.contents(`${shas.first}:params.yaml`),
        c.contents(`${shas.second}:params.yaml`),
        c.contents(`${shas.second}:notes.txt`),
        c.info(`${shas.first}:notes.txt`),
      ]);
      expect(a?.toString()).toBe('lr: 0.1\n');
      expect(b?.toString()).toBe('lr: 0.2\n');
      expect(none).toBeNull();
      expect(info).toMatchObject({ type: 'blob', size: 6 });
      await expect(c.contents('HEAD:a\nHEAD:b')).rejects.toThrow(/newline/);
    } finally {
      c.close();
    }
  });
});

describe('history', () => {
  it('reads commits newest first with their changes against the first parent', async () => {
    const commits = await readHistory(repo, ['main'], [], () => true);
    expect(commits.map((c) => c.message)).toEqual(['second\n\nwith a body', 'first']);
    const [second, first] = commits;
    expect(second?.parents).toEqual([shas.first]);
    expect(second?.author).toBe('Ada');
    expect([...(second?.changes.keys() ?? [])].sort()).toEqual(['notes.txt', 'params.yaml']);
    expect(second?.changes.get('notes.txt')).toBeNull();
    expect(first?.changes.get('notes.txt')).toMatch(/^[0-9a-f]{40}$/);
    const kept = await readHistory(repo, ['main'], ['old'], (p) => p.endsWith('.yaml'));
    expect(kept.map((c) => [c.sha, [...c.changes.keys()]])).toEqual([[shas.second, ['params.yaml']]]);
    expect(await readHistory(repo, [], [], () => true)).toEqual([]);
  });

  it('lists branches and tags, annotated tags peeled to their commit', async () => {
    const refs = await listRefs(repo);
    expect(refs).toEqual(
      expect.arrayContaining([
        { name: 'main', kind: 'branch', sha: shas.second },
        { name: 'old', kind: 'branch', sha: shas.first },
        { name: 'v1', kind: 'tag', sha: shas.first },
      ]),
    );
    expect(refs).toHaveLength(3);
  });
});

describe('mirror', () => {
  const made: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of made) await c();
  });

  it('clones a mirror once, then fetches new commits into it', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-mirror-')), 'm.git');
    await syncMirror(dir, repo, null);
    expect(run(dir, 'rev-parse', 'refs/heads/main')).toBe(shas.second);
    writeFileSync(path.join(repo, 'params.yaml'), 'lr: 0.3\n');
    run(repo, 'commit', '-q', '-am', 'third');
    await syncMirror(dir, repo, null);
    expect(run(dir, 'rev-parse', 'refs/heads/main')).toBe(run(repo, 'rev-parse', 'HEAD'));
  });

  it('hands credentials to git through files and environment, never the command line', async () => {
    const https = await credentialEnv({ kind: 'https-token', token: 's3cret' });
    made.push(https.cleanup);
    const askpass = https.env.GIT_ASKPASS ?? '';
    const ask = (prompt: string) =>
      execFileSync(askpass, [prompt], { env: { ...process.env, ...https.env }, encoding: 'utf8' });
    expect(ask("Username for 'https://example.com': ")).toBe('x-access-token\n');
    expect(ask("Password for 'https://example.com': ")).toBe('s3cret\n');
    expect(readFileSync(askpass, 'utf8')).not.toContain('s3cret');

    const ssh = await credentialEnv({ kind: 'ssh-key', privateKey: 'KEY' });
    const keyFile = /-i (\S+)/.exec(ssh.env.GIT_SSH_COMMAND ?? '')?.[1] ?? '';
    expect(readFileSync(keyFile, 'utf8')).toBe('KEY\n');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await ssh.cleanup();
    expect(existsSync(keyFile)).toBe(false);
  });

  it('makes local sources absolute and leaves URLs alone', () => {
    expect(normalizeSource('repo', '/base')).toBe('/base/repo');
    expect(normalizeSource('https://example.com/r.git', '/base')).toBe('https://example.com/r.git');
    expect(normalizeSource('git@example.com:o/r.git', '/base')).toBe('git@example.com:o/r.git');
  });
});
