import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Experiment, isFinished } from '../../contracts/experiments.js';
import { startRunServer } from '../../../test/test-harness.js';
import { requires, SSH_KEY, sshd } from '../../../test/services.js';

// A project whose remote needs its SSH key: real sshd on 127.0.0.1:2222 (started by .ci/run).

let h: Awaited<ReturnType<typeof startRunServer>>;
let bare = '';

const gitIn = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

beforeAll(async () => {
  h = await startRunServer();
  const demo = await h.server.projects.get('demo');
  bare = path.join(h.home, 'private.git');
  execFileSync('git', ['clone', '--quiet', '--bare', demo.source, bare]);
}, 120_000);
afterAll(async () => h?.close(), 60_000);

it("a run on a project behind an SSH key pushes its result ref and its branch with the project's key", async (ctx) => {
  requires(ctx, sshd);
  const add = await h.api('POST', '/api/projects', {
    name: 'priv',
    source: `ssh://root@127.0.0.1:2222${bare}`,
    credentials: { kind: 'ssh-key', privateKey: readFileSync(SSH_KEY, 'utf8') },
  });
  expect(add.status, JSON.stringify(add.json)).toBe(201);
  const created = await h.api('POST', '/api/projects/priv/experiments', {
    rev: 'main',
    name: 'keyed',
    set: ['train.lr=0.05'],
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  let e: Experiment;
  for (const until = Date.now() + 240_000; ;) {
    e = Experiment.parse((await h.api('GET', '/api/projects/priv/experiments/keyed')).json);
    if (isFinished(e.status) || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(e.status, e.error ?? '').toBe('succeeded');
  expect(e.error).toBeNull();
  const ref = `refs/exps/${e.baseline.slice(0, 2)}/${e.baseline.slice(2)}/keyed`;
  // The remote holds the result once the row says succeeded.
  expect(gitIn(bare, 'rev-parse', ref)).toBe(e.resultCommit);
  expect(gitIn(bare, 'show', `${ref}:params.yaml`)).toMatch(/lr: 0\.05/);

  // The mirror keeps the result under a Kiln ref that its pruning fetch never drops.
  const mirror = h.server.projects.mirrorDir('priv');
  expect((await h.api('POST', '/api/projects/priv/reload')).status).toBe(200);
  expect(gitIn(mirror, 'rev-parse', `refs/kiln/results/${e.id}`)).toBe(e.resultCommit);

  const branch = await h.api('POST', '/api/projects/priv/experiments/keyed/branch', {
    branch: 'try-keyed',
  });
  expect(branch.status, JSON.stringify(branch.json)).toBe(200);
  expect(branch.json).toMatchObject({ pushed: true });
  expect(gitIn(bare, 'rev-parse', 'refs/heads/try-keyed')).toBe(e.resultCommit);
}, 300_000);
