import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { kilnSuite, openDemoPage } from './server.js';

const NAMES = ['sw-1', 'sw-2', 'sw-3'];

/**
 * Names of the rendered experiment rows and group rows, top to bottom; experiments of a sweep, all
 * created at once, in name order.
 */
async function rowLabels(page: Page): Promise<string[]> {
  const labels = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.grid .row:not(.row-skeleton)')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .flatMap((r) => {
        const group = r.querySelector('.sweep-name')?.textContent;
        if (group) return [`[${group}]`];
        const name = r.querySelector('.exp-name')?.textContent?.replace(/^└\s*/, '');
        return name ? [name] : [];
      }),
  );
  return labels[0]?.startsWith('[') ? [labels[0], ...labels.slice(1).sort()] : labels;
}

describe('experiments table: a sweep as one group row', () => {
  const suite = kilnSuite('kiln-e2e-sweep-');

  it('groups a sweep of 3 under its commit, folds it, runs from its baseline and shows it cancelled', async () => {
    const { home } = suite;
    const { page, errors } = await openDemoPage(suite);
    const api = (p: string) => new URL(p, page.url()).href;

    const started = await page.request.post(api('/api/projects/demo/experiments'), {
      data: { rev: 'main', name: 'sw', set: ['train.lr=choice(0.1,0.2,0.3)'], script: 'sleep 60\n' },
    });
    expect(started.status(), await started.text()).toBe(201);
    const created = (await started.json()) as { sweepId: string; experiments: Array<{ baseline: string }> };
    const baseline = created.experiments[0]?.baseline ?? '';

    // One group row, its three experiments indented under it, right under their commit.
    const group = page.locator('.grid .row.group-row');
    await group.waitFor({ timeout: 30_000 });
    await expect.poll(() => group.count()).toBe(1);
    await expect.poll(() => group.locator('.sweep-name').textContent()).toBe('sweep · 3 experiments');
    await expect.poll(() => rowLabels(page)).toEqual(['[sweep · 3 experiments]', ...NAMES]);
    await expect.poll(() => page.locator('.grid .row .commit-sweep').count()).toBe(3);
    // Its status summary counts all three, each in its status's colour.
    const summary = async () => {
      const parts = await group.locator('.sweep-stat').allTextContents();
      return parts.reduce((n, p) => n + Number(/^(\d+) /.exec(p)?.[1] ?? 0), 0);
    };
    await expect.poll(summary).toBe(3);
    expect(await group.locator('.sweep-stats').textContent()).toMatch(/queued|starting|running/);
    await page.screenshot({ path: join(home, 'sweep-group.png') });
    // The lr column (with the params, right of the metrics) shows the range the sweep covers.
    await page.locator('.grid').evaluate((g) => g.scrollTo({ left: g.scrollWidth }));
    await expect.poll(() => group.locator('.cell-range').allTextContents()).toEqual(['0.1 – 0.3']);
    await page.screenshot({ path: join(home, 'sweep-group-params.png') });
    await page.locator('.grid').evaluate((g) => g.scrollTo({ left: 0 }));

    // Folding hides the three experiments and keeps the group row, which takes over the selection
    // of a folded-away experiment; the fold outlives a reload.
    await page.locator('.grid .row .exp-name', { hasText: 'sw-2' }).click();
    await group.getByRole('button', { name: /Collapse the sweep's 3 experiments/ }).click();
    await expect.poll(() => rowLabels(page)).toEqual(['[sweep · 3 experiments]']);
    expect(await group.getAttribute('aria-selected')).toBe('true');
    await page.reload();
    await group.waitFor();
    await expect.poll(() => rowLabels(page)).toEqual(['[sweep · 3 experiments]']);
    expect(await group.getAttribute('aria-expanded')).toBe('false');
    // A click anywhere on the group row unfolds it.
    await group.locator('.sweep-name').click();
    await expect.poll(() => rowLabels(page)).toEqual(['[sweep · 3 experiments]', ...NAMES]);

    // From the group row, ← folds, → unfolds, and `r` runs from the sweep's baseline commit.
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => rowLabels(page)).toEqual(['[sweep · 3 experiments]']);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => rowLabels(page)).toEqual(['[sweep · 3 experiments]', ...NAMES]);
    // ↓ and ↑ move between the group row and its experiments like any rows.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('.grid .row[aria-selected="true"] .commit-sweep').count()).toBe(1);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => group.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('r');
    const drawer = page.getByRole('dialog', { name: 'Run an experiment' });
    await drawer.waitFor();
    expect((await drawer.locator('#run-baseline-select').inputValue()).slice(0, 7)).toBe(
      baseline.slice(0, 7),
    );
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    // The group's checkbox checks its three experiments (for plots and Compare), not itself.
    await group.locator('.row-check').click();
    const memberChecks = page.locator('.grid .row:has(.commit-sweep) .row-check');
    await expect
      .poll(
        async () => await memberChecks.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked)),
      )
      .toEqual([true, true, true]);
    expect(await rowLabels(page)).toEqual(['[sweep · 3 experiments]', ...NAMES]);

    // Cancelled, the group stays together and its summary says so.
    for (const n of NAMES) {
      const r = await page.request.post(api(`/api/projects/demo/experiments/${n}/cancel`));
      expect(r.status(), await r.text()).toBeLessThan(300);
    }
    await expect
      .poll(() => group.locator('.sweep-stats').textContent(), { timeout: 30_000 })
      .toBe('3 cancelled');
    expect(await rowLabels(page)).toEqual(['[sweep · 3 experiments]', ...NAMES]);
    expect(errors).toEqual([]);
  }, 240_000);
});
