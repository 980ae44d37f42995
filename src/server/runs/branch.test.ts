import { afterAll, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import { TablePage } from '../../contracts/api.js';
import { git } from '../../git/run-git.js';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  h = await startRunServer();
});
afterAll(async () => h?.close());

const branchesOf = async (sha: string): Promise<string[]> => {
  const table = TablePage.parse((await h.api('GET', '/api/projects/demo/table')).json);
  return table.rows.find((r) => r.rev === sha)?.branches ?? [];
};

it('a branch made with push: false survives the next pruning fetch and stays out of the source', async () => {
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'keep-local',
    script: 'echo quick > note.txt\n',
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  const done = await h.waitFor('keep-local');
  expect(done.status).toBe('succeeded');
  const sha = done.resultCommit!;

  const b = await h.api('POST', '/api/projects/demo/experiments/keep-local/branch', {
    branch: 'only-here',
    push: false,
  });
  expect(b.status, JSON.stringify(b.json)).toBe(200);
  expect(b.json).toMatchObject({ pushed: false, commit: sha });
  // The table shows the new branch at once, not at the next periodic fetch.
  expect(await branchesOf(sha)).toContain('only-here');
  const mirror = h.server.projects.mirrorDir('demo');
  const source = path.join(h.home, 'demo-repo');

  // A fetch with --prune deleted refs/heads/only-here before the fix: the source never had it.
  for (let i = 0; i < 2; i++) {
    const reload = await h.api('POST', '/api/projects/demo/reload');
    expect(reload.status, JSON.stringify(reload.json)).toBe(200);
    expect((await git(['rev-parse', 'refs/heads/only-here'], { cwd: mirror })).trim()).toBe(sha);
  }
  expect(await branchesOf(sha)).toContain('only-here');
  await expect(git(['rev-parse', '--verify', 'refs/heads/only-here'], { cwd: source })).rejects.toThrow();

  // Once someone publishes a branch of that name, the source's branch is the one Kiln shows.
  const mainSha = (await git(['rev-parse', 'main'], { cwd: source })).trim();
  await git(['branch', 'only-here', mainSha], { cwd: source });
  await h.api('POST', '/api/projects/demo/reload');
  expect((await git(['rev-parse', 'refs/heads/only-here'], { cwd: mirror })).trim()).toBe(mainSha);
  // ...and when the source deletes it, it goes as any fetched branch does.
  await git(['branch', '-D', 'only-here'], { cwd: source });
  await h.api('POST', '/api/projects/demo/reload');
  await expect(git(['rev-parse', '--verify', 'refs/heads/only-here'], { cwd: mirror })).rejects.toThrow();
}, 240_000);
