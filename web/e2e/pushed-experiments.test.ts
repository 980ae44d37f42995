import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kilnSuite, openDemo, openDemoPage } from './server.js';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=DVC User', '-c', 'user.email=dvc@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

/**
 * What `dvc exp push` leaves in a repository: a commit (a chain, for a checkpoint experiment) on
 * no branch, at `refs/exps/<baseline[:2]>/<baseline[2:]>/<name>`. Each step changes train.lr.
 */
function pushExperiment(repo: string, baseline: string, name: string, lrs: number[]): void {
  const wt = join(mkdtempSync(join(tmpdir(), 'kiln-e2e-exp-')), 'wt');
  git(repo, 'worktree', 'add', '-q', '--detach', wt, baseline);
  for (const lr of lrs) {
    const file = join(wt, 'params.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\blr: [0-9.e-]+/, `lr: ${lr}`));
    git(wt, 'commit', '-qam', `dvc: commit experiment ${name}`);
  }
  const sha = git(wt, 'rev-parse', 'HEAD');
  git(repo, 'worktree', 'remove', '--force', wt);
  rmSync(join(wt, '..'), { recursive: true, force: true });
  git(repo, 'update-ref', `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/${name}`, sha);
}

describe('experiments pushed with dvc exp push, in the browser', () => {
  const suite = kilnSuite('kiln-e2e-pushed-');

  it('shows them nested under their baseline as "pushed", and offers the finished-run actions', async () => {
    const { page, errors } = await openDemoPage(suite);
    const origin = new URL(page.url()).origin;
    const repo = join(suite.home, 'demo-repo');
    const baseline = git(repo, 'rev-parse', 'main');
    pushExperiment(repo, baseline, 'pushed-lr', [0.02]);
    pushExperiment(repo, baseline, 'pushed-ckpt', [0.03, 0.04, 0.05]);
    const reload = await page.request.post(`${origin}/api/projects/demo/reload`);
    expect(reload.ok(), await reload.text()).toBe(true);
    await openDemo(page, `${origin}/`);

    const rows = page.locator('.grid .row:not(.row-skeleton)');
    await rows.filter({ hasText: 'pushed-lr' }).first().waitFor();
    const texts = await rows.allTextContents();
    const base = texts.findIndex((t) => t.includes(baseline.slice(0, 7)));
    expect(base).toBeGreaterThanOrEqual(0);
    // Right under their baseline, each once (the checkpoint chain is one row), each "pushed".
    const under = texts.slice(base + 1, base + 3);
    expect(under.map((t) => /pushed-(lr|ckpt)/.exec(t)?.[0]).sort()).toEqual(['pushed-ckpt', 'pushed-lr']);
    for (const t of under) expect(t).toMatch(/\bpushed\b/);
    expect(texts.filter((t) => t.includes('pushed-ckpt'))).toHaveLength(1);
    const chip = rows.filter({ hasText: 'pushed-lr' }).locator('.exp-name');
    await expect(chip.textContent()).resolves.toContain('└ pushed-lr');
    await page.screenshot({ path: join(suite.home, 'pushed-rows.png') });

    // Selected and opened: the experiment page with the actions of a finished run.
    await chip.click();
    await page.getByRole('button', { name: /^Open/ }).click();
    await page.waitForURL(/\/projects\/demo\/experiments\/pushed-lr$/);
    await expect
      .poll(() => page.locator('.exp-title .status').textContent(), { timeout: 30_000 })
      .toBe('pushed');
    const pr = page.getByRole('button', { name: /Create pull request/ });
    await pr.waitFor();
    // The demo is plain Git: the action is there, off, and says why (as for a Kiln run).
    await expect.poll(() => pr.isDisabled(), { timeout: 15_000 }).toBe(true);
    await expect(page.locator('#exp-no-pr').textContent()).resolves.toMatch(/^No pull requests: .+\.$/);

    await page.getByRole('button', { name: /Create branch/ }).click();
    const form = page.locator('.exp-branch-form');
    await form.getByRole('checkbox').uncheck();
    await form.getByRole('button', { name: 'Create branch' }).click();
    await page.getByRole('status').filter({ hasText: 'exp-pushed-lr created' }).waitFor();
    const pushedSha = git(
      repo,
      'rev-parse',
      `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/pushed-lr`,
    );
    const table = (await (await page.request.get(`${origin}/api/projects/demo/table`)).json()) as {
      rows: Array<{ rev: string; branches: string[] }>;
    };
    // The branch is a commit row of its own now, beside the pushed experiment's row.
    expect(table.rows.filter((r) => r.rev === pushedSha).flatMap((r) => r.branches)).toContain(
      'exp-pushed-lr',
    );

    // Run again queues a Kiln run of the same change, from the same baseline, and opens it.
    await page.getByRole('button', { name: /Run again/ }).click();
    await page.waitForURL((u) => /\/experiments\//.test(u.pathname) && !u.pathname.endsWith('/pushed-lr'));
    const again = decodeURIComponent(page.url().split('/').at(-1) ?? '');
    const exp = (await (
      await page.request.get(`${origin}/api/projects/demo/experiments/${again}`)
    ).json()) as {
      baseline: string;
      status: string;
    };
    expect(exp.baseline).toBe(baseline);
    expect(['queued', 'starting', 'running', 'saving', 'succeeded']).toContain(exp.status);
    await page.screenshot({ path: join(suite.home, 'pushed-run-again.png') });
    expect(errors).toEqual([]);
  }, 300_000);
});
