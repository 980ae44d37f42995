import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experimentRef } from '../../contracts/experiments.js';
import { TestRepo } from '../../../test/test-repo.js';
import { runWithToken } from '../../../test/security-kit.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { gitHttpUrl } from './git-http.js';

const run = promisify(execFile);
let s: TestServer;
let repo: TestRepo;
let head = '';
let work = '';
let own = { exp: '', checkpoint: '', token: '', url: '' };
let tried = 0;
let refused = 0;

async function push(url: string, ...refspecs: string[]): Promise<{ ok: boolean; out: string }> {
  tried += refspecs.length;
  try {
    const r = await run('git', ['push', '--porcelain', '--force', url, ...refspecs], { cwd: work });
    return { ok: true, out: r.stdout + r.stderr };
  } catch (err) {
    refused += refspecs.length;
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const mirrorRef = async (ref: string) =>
  (
    await run('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: s.projects.mirrorDir('p') }).catch(
      () => ({ stdout: '' }),
    )
  ).stdout.trim();

beforeAll(async () => {
  s = await startTestServer();
  repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  head = repo.commit('first');
  await s.addProject('p', repo.dir);
  await s.addProject('q', repo.dir);
  const r = await runWithToken(s, 'p', 'mine', head);
  own = {
    exp: experimentRef(head, 'mine'),
    checkpoint: `refs/kiln/checkpoints/${r.experiment.id}`,
    token: r.token,
    url: gitHttpUrl(s.url, 'p', r.token),
  };
  work = mkdtempSync(path.join(tmpdir(), 'kiln-push-'));
  await run('git', ['clone', '-q', own.url, work]);
  await run(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '-q', '--allow-empty', '-m', 'evil'],
    {
      cwd: work,
    },
  );
}, 120_000);
afterAll(async () => {
  await s?.close();
  console.log(`git push guard: ${tried} ref updates tried with run tokens, ${refused} refused`);
});

describe('a run token over git smart HTTP', () => {
  it('cannot move a branch, create a tag or write another run’s ref, and is told why', async () => {
    for (const ref of [
      'refs/heads/main',
      'refs/tags/v1',
      experimentRef(head, 'someone-else'),
      'refs/kiln/checkpoints/x',
    ]) {
      const r = await push(own.url, `HEAD:${ref}`);
      expect(r.ok, r.out).toBe(false);
      expect(r.out).toContain('[remote rejected]');
      expect(r.out).toContain(`may push only ${own.exp} and ${own.checkpoint}`);
    }
    expect(await mirrorRef('refs/heads/main')).toBe(head);
    expect(await mirrorRef('refs/tags/v1')).toBe('');
    expect(await mirrorRef(experimentRef(head, 'someone-else'))).toBe('');
  });

  it('a push mixing its own ref with a branch is refused as a whole', async () => {
    const r = await push(own.url, `HEAD:${own.exp}`, 'HEAD:refs/heads/main');
    expect(r.ok, r.out).toBe(false);
    expect(await mirrorRef(own.exp)).toBe('');
    expect(await mirrorRef('refs/heads/main')).toBe(head);
  });

  it('pushes its own result ref and checkpoint', async () => {
    const sha = (await run('git', ['rev-parse', 'HEAD'], { cwd: work })).stdout.trim();
    const r = await push(own.url, `HEAD:${own.exp}`, `HEAD:${own.checkpoint}`);
    expect(r.ok, r.out).toBe(true);
    expect(await mirrorRef(own.exp)).toBe(sha);
    expect(await mirrorRef(own.checkpoint)).toBe(sha);
  });

  it('a gzip-encoded push is read the same way', async () => {
    const line = `${head} ${'1'.repeat(40)} refs/heads/main\0report-status\n`;
    const body = gzipSync(Buffer.from(`${(line.length + 4).toString(16).padStart(4, '0')}${line}0000PACK`));
    tried++;
    const res = await fetch(`${s.url}/api/git/p/git-receive-pack`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`kiln:${own.token}`).toString('base64')}`,
        'content-type': 'application/x-git-receive-pack-request',
        'content-encoding': 'gzip',
      },
      body,
    });
    const text = await res.text();
    if (text.includes('ng refs/heads/main')) refused++;
    expect(text).toContain('ng refs/heads/main the token of run p/mine may push only');
    expect(await mirrorRef('refs/heads/main')).toBe(head);
  });

  it('reads only its own project', async () => {
    const other = gitHttpUrl(s.url, 'q', own.token);
    const r = await run('git', ['ls-remote', other]).then(
      () => 'read',
      (e: { stderr?: string }) => e.stderr ?? '',
    );
    expect(r).not.toBe('read');
    const pushed = await push(other, `HEAD:${experimentRef(head, 'mine')}`);
    expect(pushed.ok).toBe(false);
  });
});
