import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as chromiumService, suiteRequires } from '../../test/services.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, startKiln, type RunningServer } from './server.js';
import { makeWideRepo } from './table-wide-repo.js';

const CHROMIUM = '/usr/bin/chromium';
const COMMITS = 30;

const rowCount = async (page: Page): Promise<number> =>
  Number(await page.locator('.grid').getAttribute('aria-rowcount'));

/** Text of every rendered cell under the leaf header `name`, top to bottom. */
function columnTexts(page: Page, name: string): Promise<string[]> {
  return page
    .locator('.leaf-cell', { has: page.locator('.leaf-label', { hasText: new RegExp(`^${name}$`) }) })
    .evaluate((header) => {
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

/** Messages of the rendered rows, top to bottom. */
function messages(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.grid .row:not(.row-skeleton)')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((r) => r.querySelector('.message')?.textContent ?? ''),
  );
}

/** Polls outside a test (expect.poll only works inside one). */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not true within ${String(timeoutMs)} ms: ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('experiments table: header filters, checked rows, folded experiments', () => {
  let home = '';
  let repo = '';
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  // Without Chromium each test is listed as skipped, with the reason.
  const up = suiteRequires(chromiumService);
  beforeAll(async () => {
    if (!up) return;
    home = await mkdtemp(join(tmpdir(), 'kiln-e2e-more-'));
    // Outside the data dir: Kiln refuses a project source inside its own data dir.
    repo = join(await mkdtemp(join(tmpdir(), 'kiln-e2e-more-repo-')), 'wide-repo');
    makeWideRepo(repo, { commits: COMMITS, params: 12, metrics: 6, paramsEvery: 3 });
    server = await startKiln(home, await freePort());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.loginUrl);
    await page.waitForURL((u) => u.pathname === '/', { timeout: 30_000 });
    const base = new URL(page.url()).origin;
    const add = await page.request.post(`${base}/api/projects`, { data: { name: 'wide', source: repo } });
    expect(add.status()).toBe(201);
    await until(
      async () =>
        ((await (await page.request.get(`${base}/api/projects/wide`)).json()) as { fetch: { state: string } })
          .fetch.state === 'ok',
      60_000,
    );
    // Two experiments reported live on the newest commit nest under it.
    const created = await page.request.post(`${base}/api/tokens`, { data: { name: 'e2e' } });
    const { token } = (await created.json()) as { token: string };
    const head = execFileSync('git', ['rev-parse', 'main'], { cwd: repo, encoding: 'utf8' }).trim();
    for (const name of ['exp-alpha', 'exp-beta']) {
      const r = await page.request.post(`${base}/api/live`, {
        headers: { authorization: `token ${token}` },
        data: { type: 'start', repo_url: repo, baseline_sha: head, name, client: 'dvclive' },
      });
      expect(r.status(), await r.text()).toBe(200);
    }
    await page.goto(`${base}/projects/wide`);
    await page.locator('.grid .row:not(.row-skeleton)').first().waitFor({ timeout: 60_000 });
    await until(async () => (await rowCount(page)) === COMMITS + 2, 20_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (process.env.KILN_E2E_CLEAN === '1') await rm(home, { recursive: true, force: true });
  });

  it('folds the experiments under their commit, one commit or all at once', async () => {
    const fold = page.getByRole('button', { name: /Collapse 2 experiments/ });
    await expect.poll(() => page.locator('.exp-name').count()).toBe(2);
    await fold.click();
    await expect.poll(() => rowCount(page)).toBe(COMMITS);
    expect(await page.locator('.exp-name').count()).toBe(0);
    await page.getByRole('button', { name: /Expand 2 experiments/ }).click();
    await expect.poll(() => rowCount(page)).toBe(COMMITS + 2);

    await page.getByRole('button', { name: /Collapse all/ }).click();
    await expect.poll(() => rowCount(page)).toBe(COMMITS);
    await page.getByRole('button', { name: /Expand all/ }).click();
    await expect.poll(() => rowCount(page)).toBe(COMMITS + 2);
    await expect.poll(() => page.locator('.exp-name').count()).toBe(2);
  }, 60_000);

  it('the Live switch shows only the running experiments and the commit they run from', async () => {
    await page.getByLabel('Live').check();
    await expect.poll(() => rowCount(page)).toBe(3);
    await expect.poll(() => page.locator('.exp-name').count()).toBe(2);
    // A live report changes exp-alpha's cells in place: they flash, the row stays.
    const base = new URL(page.url()).origin;
    const created = await page.request.post(`${base}/api/tokens`, { data: { name: 'e2e-live' } });
    const { token } = (await created.json()) as { token: string };
    const head = execFileSync('git', ['rev-parse', 'main'], { cwd: repo, encoding: 'utf8' }).trim();
    expect(await page.locator('.cell-changed').count()).toBe(0);
    const report = async (step: number, m0: number) => {
      const r = await page.request.post(`${base}/api/live`, {
        headers: { authorization: `token ${token}` },
        data: {
          type: 'data',
          repo_url: repo,
          baseline_sha: head,
          name: 'exp-alpha',
          client: 'dvclive',
          step,
          metrics: { 'dvclive/metrics.json': { data: { m0 } } },
        },
      });
      expect(r.status(), await r.text()).toBe(200);
    };
    await report(1, 0.123);
    await expect.poll(() => page.getByText('0.123').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await report(2, 0.456);
    await expect.poll(() => page.locator('.cell-changed').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByLabel('Live').uncheck();
    await expect.poll(() => rowCount(page)).toBe(COMMITS + 2);
  }, 60_000);

  it('filters from a column header: a numeric condition, then text on the commit column', async () => {
    const header = page.locator('.leaf-cell', { has: page.locator('.leaf-label', { hasText: /^m0$/ }) });
    await header.hover();
    await header.getByRole('button', { name: 'Filter m0' }).click();
    const pop = page.getByRole('dialog', { name: 'Filter m0' });
    await pop.getByLabel('Condition').selectOption('>');
    await pop.getByLabel('Value').fill('0.5');
    await pop.getByLabel('Value').press('Enter');
    await expect.poll(() => pop.isVisible()).toBe(false);
    // The condition shows as a removable chip and every row left has m0 above 0.5.
    const chip = page.locator('.filter-chip', { hasText: 'm0 > 0.5' });
    await expect.poll(() => chip.isVisible()).toBe(true);
    const shown = await rowCount(page);
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(COMMITS);
    const values = (await columnTexts(page, 'm0')).map(Number);
    expect(values).toHaveLength(shown);
    for (const v of values) expect(v).toBeGreaterThan(0.5);
    expect(await header.getByRole('button', { name: 'Filter m0' }).getAttribute('class')).toContain('active');
    await chip.getByRole('button', { name: 'Remove filter' }).click();
    await expect.poll(() => rowCount(page)).toBe(COMMITS + 2);

    const commitHeader = page.locator('.fixed-cell', { hasText: 'Commit' });
    await commitHeader.hover();
    await commitHeader.getByRole('button', { name: 'Filter commit' }).click();
    const pop2 = page.getByRole('dialog', { name: 'Filter commit' });
    await pop2.getByLabel('Value').fill('commit 2');
    await pop2.getByRole('button', { name: 'Apply' }).click();
    // "commit 2", "commit 20" … "commit 29".
    await expect.poll(() => rowCount(page)).toBe(11);
    for (const m of await messages(page)) expect(m).toMatch(/^commit 2\d?:/);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rowCount(page)).toBe(COMMITS + 2);
  }, 60_000);

  it('checks rows (shift-click for a range) for Compare and the plots pane', async () => {
    const boxes = page.locator('.grid .row:not(.row-skeleton) .row-check');
    await boxes.nth(3).click();
    await boxes.nth(5).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.locator('.grid .row-check:checked').count()).toBe(3);
    await expect.poll(() => page.getByRole('button', { name: 'Compare 3' }).isVisible()).toBe(true);

    // The plots pane lists the same rows as pinned; unpinning one there unchecks its box.
    await page.getByRole('button', { name: 'Plots', exact: true }).click();
    const pinnedInPane = page.locator('.plots-pane .exp-chip-btn[title="Unpin"]');
    await expect.poll(() => pinnedInPane.count(), { timeout: 20_000 }).toBe(3);
    await pinnedInPane.first().click();
    await expect.poll(() => page.locator('.grid .row-check:checked').count()).toBe(2);
    await expect.poll(() => page.getByRole('button', { name: 'Compare 2' }).isVisible()).toBe(true);

    // The header box clears every checked row.
    await page.getByRole('checkbox', { name: /Clear 2 checked rows/ }).click();
    await expect.poll(() => page.locator('.grid .row-check:checked').count()).toBe(0);

    // Space checks the selected row from the keyboard.
    await page.locator('.grid .row:not(.row-skeleton) .message').nth(2).click();
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('.grid .row-check:checked').count()).toBe(1);
    expect(await page.locator('.grid .row.selected .row-check').isChecked()).toBe(true);
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('.grid .row-check:checked').count()).toBe(0);
    await page.screenshot({ path: join(home, 'table-more.png') });
  }, 60_000);
});
