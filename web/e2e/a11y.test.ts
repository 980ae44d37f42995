import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { focusVisible, seriousViolations } from './axe.js';
import { kilnSuite, openDemoPage } from './server.js';

describe('accessibility of the table, the Run drawer and popovers', () => {
  const suite = kilnSuite('kiln-e2e-a11y-');

  it('has no serious or critical axe violations, and every control is reached by Tab with visible focus', async () => {
    const { home } = suite;
    const { page, errors } = await openDemoPage(suite);

    expect(await seriousViolations(page)).toEqual([]);

    // Tab from the top reaches the filter, Run, the toggles and the grid, each with visible focus.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    const seen: string[] = [];
    const unseen: string[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const f = await focusVisible(page);
      seen.push(f.what);
      if (!f.visible) unseen.push(f.what);
      if (f.what.startsWith('div')) break;
    }
    expect(unseen).toEqual([]);
    const joined = seen.join('\n');
    for (const want of ['input[Filter rows]', 'Run', 'Hidden commits', 'Columns', 'Plots'])
      expect(joined).toContain(want);
    // The grid takes focus last and moves the selection with the arrows.
    expect(seen[seen.length - 1]).toMatch(/^div/);
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('.grid .row.selected').count()).resolves.toBe(1);

    // The header filter popover and the columns menu.
    const metric = page.locator('.leaf-cell.kind-metrics').first();
    await metric.hover();
    await metric.locator('.head-filter').click();
    expect(await seriousViolations(page, '.header-filter-pop')).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /Columns/ }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');

    // The Run drawer: a labelled dialog, focus inside it, every field reachable with visible focus.
    await page.locator('.grid .row:not(.row-skeleton) .commit .message').first().click();
    await page.keyboard.press('r');
    const drawer = page.getByRole('dialog', { name: 'Run an experiment' });
    await drawer.getByLabel('params.yaml train.lr').waitFor();
    expect(await seriousViolations(page, '.run-drawer')).toEqual([]);
    const inDrawer: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const f = await focusVisible(page);
      expect(f.visible, f.what).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.closest('.run-drawer') !== null)).toBe(true);
      inDrawer.push(f.what);
    }
    expect(inDrawer.join('\n')).toContain('select');
    for (const tab of ['Input data', 'Script', 'Compute', 'CI']) {
      await drawer.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
      expect(await seriousViolations(page, '.run-drawer'), tab).toEqual([]);
    }
    await page.screenshot({ path: join(home, 'a11y-drawer.png') });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  }, 240_000);
});
