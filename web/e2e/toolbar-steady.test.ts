import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { kilnSuite, openDemoPage } from './server.js';

/** Where each toolbar control is, rounded to the pixel: the toolbar must not move as data arrives. */
function toolbarLayout(page: Page): Promise<string[]> {
  return page.locator('.toolbar').evaluate((bar) => {
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return `${Math.round(r.x)},${Math.round(r.y)},${Math.round(r.width)}x${Math.round(r.height)}`;
    };
    const label = (el: Element) => el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName;
    return [
      `toolbar ${box(bar)}`,
      ...[...bar.querySelectorAll('button, input, label.switch')]
        .filter((el) => !el.closest('.segmented'))
        .map((el) => `${label(el)} ${box(el)}`),
    ];
  });
}

describe('table toolbar', () => {
  const suite = kilnSuite('kiln-e2e-toolbar-');

  it('stays put while rows and the first experiment arrive, on one line at 1440 and 1280 px', async () => {
    const { home } = suite;
    const { page, errors } = await openDemoPage(suite);
    const table = '**/api/projects/demo/table?**';

    for (const width of [1440, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      // While the table loads (its answer held back), the toolbar is already laid out as it will stay.
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      await page.route(table, async (route) => {
        await held;
        await route.continue();
      });
      await page.reload();
      await page.locator('.skeleton').first().waitFor();
      const loading = await toolbarLayout(page);
      await page.screenshot({ path: join(home, `toolbar-loading-${String(width)}.png`) });
      release();
      await page.locator('.grid .row:not(.row-skeleton)').first().waitFor();
      expect(await toolbarLayout(page)).toEqual(loading);
      await page.unroute(table);

      // The first experiment arrives (Collapse all becomes usable): still nothing moves.
      if (width === 1440) {
        const created = await page.request.post(
          new URL('/api/projects/demo/experiments', page.url()).toString(),
          {
            data: { rev: 'main', params: [{ file: 'params.yaml', key: 'train.lr', value: 0.2 }] },
          },
        );
        expect(created.ok(), await created.text()).toBe(true);
        await page.locator('.grid .row .exp-name').first().waitFor({ timeout: 30_000 });
        await expect.poll(() => page.locator('.btn-fold').isEnabled()).toBe(true);
        expect(await toolbarLayout(page)).toEqual(loading);
      }
      // One line of controls at this width, and no stray shortcut text in the filter.
      const bar = await page.locator('.toolbar').boundingBox();
      expect(bar?.height).toBeLessThan(40);
      await expect(page.getByLabel('Filter rows').getAttribute('placeholder')).resolves.not.toContain(
        '( / )',
      );
      await page.screenshot({ path: join(home, `toolbar-${String(width)}.png`) });
    }
    expect(errors).toEqual([]);
  }, 180_000);
});
