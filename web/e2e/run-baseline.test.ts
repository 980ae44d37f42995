import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kilnSuite, openDemoPage } from './server.js';

/** A commit on a new branch of the demo's source repo, newer than main: what a CI commit leaves. */
async function commitOnBranch(repo: string, branch: string, lr: string): Promise<void> {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], {
      cwd: repo,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'CI',
        GIT_AUTHOR_EMAIL: 'ci@example.com',
        GIT_COMMITTER_NAME: 'CI',
        GIT_COMMITTER_EMAIL: 'ci@example.com',
      },
    });
  git('switch', '-q', '-c', branch, 'main');
  const params = join(repo, 'params.yaml');
  await writeFile(params, (await readFile(params, 'utf8')).replace(/lr: [0-9.e-]+/, `lr: ${lr}`));
  git('commit', '-q', '-am', `CI: try lr ${lr}`);
  git('switch', '-q', 'main');
}

describe('Run drawer baseline', () => {
  const suite = kilnSuite('kiln-e2e-baseline-');

  it('runs from main with no row selected, names the baseline first and lets it change', async () => {
    const { home } = suite;
    const { page, errors } = await openDemoPage(suite);

    // A branch commit newer than main becomes the top row, as after a CI commit.
    await commitOnBranch(join(home, 'demo-repo'), 'exp-ci-lr', '0.7');
    const reload = await page.request.post(new URL('/api/projects/demo/reload', page.url()).toString());
    expect(reload.ok(), await reload.text()).toBe(true);
    const top = page.locator('.grid .row:not(.row-skeleton)').first();
    await expect.poll(() => top.textContent(), { timeout: 60_000 }).toContain('exp-ci-lr');

    // Nothing selected: `r` opens the drawer on main, not on the newer branch at the top.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('r');
    const drawer = page.getByRole('dialog', { name: 'Run an experiment' });
    await drawer.waitFor();
    const picker = drawer.getByLabel('Baseline', { exact: true });
    // The picker is the first control after the title: it is what the person sees first.
    const first = drawer.locator('select, input, textarea, [role="tab"]').first();
    await expect(first.getAttribute('id')).resolves.toBe('run-baseline-select');
    await expect
      .poll(() => picker.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? ''))
      .toMatch(/^main \([0-9a-f]{7}\)$/);
    const lr = drawer.getByLabel('params.yaml train.lr');
    await expect.poll(() => lr.inputValue(), { timeout: 30_000 }).toBe('0.3');
    await page.screenshot({ path: join(home, 'run-baseline-main.png') });

    // Choosing the branch reads that commit's params instead.
    await picker.selectOption({
      label: (await picker.locator('option', { hasText: /^exp-ci-lr / }).textContent()) ?? '',
    });
    await expect.poll(() => lr.inputValue(), { timeout: 30_000 }).toBe('0.7');
    await page.screenshot({ path: join(home, 'run-baseline-branch.png') });
    expect(errors).toEqual([]);
  }, 240_000);
});
