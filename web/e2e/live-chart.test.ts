import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as chromiumService, suiteRequires } from '../../test/services.js';
import { type Browser, type BrowserContext } from 'playwright-core';
import { freePort, launchChromium, openDemo, startKiln, type RunningServer } from './server.js';

const NAME = 'live-chart';
// Not the demo's own 30: with its dvc.lock, an unchanged train stage is skipped, not re-run.
const EPOCHS = 40;

describe('a running experiment in the plots pane', () => {
  let home = '';
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  // Without Chromium each test is listed as skipped, with the reason.
  const up = suiteRequires(chromiumService);
  beforeAll(async () => {
    if (!up) return;
    home = await mkdtemp(join(tmpdir(), 'kiln-e2e-live-'));
    // The server's local agents inherit its environment, and so does the demo's training: a
    // second an epoch, so the run lasts long enough to watch.
    const before = process.env.DEMO_EPOCH_DELAY;
    process.env.DEMO_EPOCH_DELAY = '1';
    try {
      server = await startKiln(home, await freePort());
    } finally {
      if (before === undefined) delete process.env.DEMO_EPOCH_DELAY;
      else process.env.DEMO_EPOCH_DELAY = before;
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 1100 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (process.env.KILN_E2E_CLEAN === '1') await rm(home, { recursive: true, force: true });
  });

  it('watches the DVCLive chart grow while the run goes on, then sees succeeded', async () => {
    if (!context || !server) throw new Error('setup failed');
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openDemo(page, server.loginUrl);

    const started = await page.request.post(new URL('/api/projects/demo/experiments', page.url()).href, {
      data: { rev: 'main', name: NAME, set: [`train.epochs=${String(EPOCHS)}`] },
    });
    expect(started.status(), await started.text()).toBe(201);

    const row = page.locator('.grid .row', { has: page.locator('.exp-name', { hasText: NAME }) });
    const status = row.locator('.status');
    await row.waitFor({ timeout: 30_000 });
    // Select the experiment, open the plots pane and pin it.
    await row.locator('.exp-name').click();
    await page.keyboard.press('p');
    const pane = page.locator('.plots-pane');
    await pane.waitFor();
    const chip = pane.locator('.exp-chip', { hasText: NAME });
    await chip.waitFor({ timeout: 20_000 });
    await chip.getByRole('button', { name: '+ Pin' }).click();

    // The dots of the train/loss series, as drawn: one per epoch reported so far.
    const card = (title: string) =>
      pane.locator('.plot-card', { has: page.locator('.plot-title', { hasText: new RegExp(`^${title}$`) }) });
    const dots = card('train/loss').locator('svg g.mark-symbol.role-mark path');
    const seen: number[] = [];
    for (const until = Date.now() + 240_000; Date.now() < until;) {
      const [now, chipText] = await Promise.all([dots.count(), status.textContent()]);
      // A running chip counts its time: "running · 12s".
      const state = chipText?.split(' · ')[0] ?? null;
      if (state === 'running' && now > 0 && now !== seen.at(-1)) seen.push(now);
      if (seen.length >= 3 || (state !== null && !['queued', 'starting', 'running'].includes(state))) break;
      await page.waitForTimeout(500);
    }
    await page.screenshot({ path: join(home, 'live-chart-running.png') });
    // Three different counts while the row said running, each larger than the one before.
    expect(seen.length, `point counts seen while running: ${seen.join(', ')}`).toBeGreaterThanOrEqual(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)).toBeLessThan(EPOCHS);

    await expect.poll(() => status.textContent(), { timeout: 240_000, interval: 1000 }).toBe('succeeded');
    // The pinned run stays plotted once saved (its row is now its result commit), every epoch drawn once.
    await expect.poll(() => dots.count(), { timeout: 30_000 }).toBe(EPOCHS);
    await expect(chip.getByRole('button', { name: '×' }).isVisible()).resolves.toBe(true);
    // Saved, the run is drawn from its result commit: the pipeline's plots are there too.
    await expect.poll(() => card('ROC').locator('svg').count(), { timeout: 30_000 }).toBe(1);
    await page.screenshot({ path: join(home, 'live-chart-done.png') });
    expect(errors).toEqual([]);
  }, 600_000);
});
