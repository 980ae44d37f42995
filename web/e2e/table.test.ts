import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { kilnSuite, openDemo } from './server.js';

/** Text of every rendered cell in the column whose header is `header`, top to bottom. */
function columnTexts(page: Page, headerSelector: string): Promise<string[]> {
  return page.locator(headerSelector).evaluate((header) => {
    const left = (header as HTMLElement).style.left;
    const rows = [...document.querySelectorAll<HTMLElement>('.grid .row:not(.row-skeleton)')];
    rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return rows.map(
      (r) =>
        [...r.querySelectorAll<HTMLElement>(':scope > .cell')].find((c) => c.style.left === left)
          ?.textContent ?? '',
    );
  });
}

const rowCount = async (page: Page): Promise<number> =>
  Number(await page.locator('.grid').getAttribute('aria-rowcount'));

describe('experiments table in a browser', () => {
  const suite = kilnSuite('kiln-e2e-');

  it('logs in, opens the demo table, sorts by a metric and shows hidden commits', async () => {
    const { server, browser, home } = suite;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // The demo project is generated after the login link is printed: openDemo waits for its table.
    await openDemo(page, server.loginUrl);
    const firstRow = page.locator('.grid .row:not(.row-skeleton)').first();
    await expect.poll(() => firstRow.isVisible(), { timeout: 10_000 }).toBe(true);
    const before = await rowCount(page);
    expect(before).toBeGreaterThan(1);

    // Sort by the first metric column: descending first, then ascending.
    const metric = page.locator('.leaf-cell.kind-metrics').first();
    await metric.click();
    const dir = await metric.getAttribute('aria-sort');
    expect(['ascending', 'descending']).toContain(dir);
    const numbers = (await columnTexts(page, '.leaf-cell.kind-metrics >> nth=0'))
      .filter((text) => text.trim() !== '')
      .map(Number)
      .filter(Number.isFinite);
    expect(numbers.length).toBeGreaterThan(1);
    const sorted = [...numbers].sort((a, b) => (dir === 'ascending' ? a - b : b - a));
    expect(numbers).toEqual(sorted);

    // Hidden ([skip studio]) commits come back with the toggle.
    await page.getByText('Hidden commits').click();
    await expect.poll(() => rowCount(page), { timeout: 20_000 }).toBeGreaterThan(before);
    await expect.poll(() => page.locator('.chip-hidden').first().isVisible(), { timeout: 10_000 }).toBe(true);

    // Export CSV writes the rows shown: a header line plus one line per row.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.trimEnd().split('\r\n')).toHaveLength((await rowCount(page)) + 1);

    await page.screenshot({ path: join(home, 'experiments-table.png') });
    expect(errors).toEqual([]);
  }, 180_000);
});
