import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { kilnSuite, openDemo } from './server.js';

const legendTexts = (page: Page): Promise<string[]> =>
  page.locator('.plot-card svg .role-legend text').allTextContents();

describe('plots pane in a browser', () => {
  const suite = kilnSuite('kiln-e2e-plots-');

  it('plots two demo commits overlaid, the legend naming both, then compares them', async () => {
    const { server, browser, home } = suite;
    const page = await browser.newPage({ viewport: { width: 1440, height: 1200 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openDemo(page, server.loginUrl);

    const rows = page.locator('.grid .row:not(.row-skeleton)');
    await rows.nth(0).click();
    await page.keyboard.press('p');
    await expect.poll(() => page.locator('.plots-pane').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByRole('button', { name: '+ Pin' }).click();
    await rows.nth(1).click();

    const chips = page.locator('.plots-pane .exp-chip');
    await expect.poll(() => chips.count(), { timeout: 20_000 }).toBe(2);
    const labels = (await chips.allTextContents()).map((t) => t.replace(/×|\+ Pin/g, '').trim());

    // ROC, the confusion matrix and the four DVCLive series of the demo.
    await expect
      .poll(() => page.locator('.plot-card svg').count(), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(6);
    await expect(page.locator('.plot-card', { hasText: 'train/loss' }).locator('svg').count()).resolves.toBe(
      1,
    );
    await expect
      .poll(async () => labels.every((l) => legendTexts(page).then((t) => t.includes(l))), {
        timeout: 30_000,
      })
      .toBe(true);
    await page.screenshot({ path: join(home, 'plots.png') });

    await page.keyboard.press('c');
    await page.waitForURL(/\/compare\?/);
    await expect.poll(() => page.locator('.cmp-table thead th').count(), { timeout: 30_000 }).toBe(3);
    await page.locator('.cmp-goal').first().click();
    await expect(page.locator('.cmp-best').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: join(home, 'compare.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 240_000);
});
