import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, startKiln, type RunningServer } from './server.js';

const CHROMIUM = '/usr/bin/chromium';

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
  let home = '';
  let server: RunningServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kiln-e2e-'));
    server = await startKiln(home, await freePort());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    // The tmp dir keeps the screenshot for a human to look at; only remove it when asked to.
    if (process.env.KILN_E2E_CLEAN === '1') await rm(home, { recursive: true, force: true });
  });

  it('logs in, opens the demo table, sorts by a metric and shows hidden commits', async () => {
    if (!browser || !server) throw new Error('setup failed');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(server.loginUrl);
    await page.waitForURL((u) => u.pathname === '/', { timeout: 20_000 });

    // The demo project is generated after the login link is printed: poll the projects page.
    const demo = page.locator('a.project-name', { hasText: /^demo$/ });
    for (let i = 0; i < 60 && !(await demo.isVisible()); i++) {
      await page.waitForTimeout(1000);
      await page.reload();
    }
    await demo.click();
    await page.waitForURL(/\/projects\/demo$/);

    const firstRow = page.locator('.grid .row:not(.row-skeleton)').first();
    for (let i = 0; i < 60 && !(await firstRow.isVisible()); i++) {
      await page.waitForTimeout(1000);
      if (await page.getByRole('button', { name: 'Retry' }).isVisible())
        await page.getByRole('button', { name: 'Retry' }).click();
    }
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
