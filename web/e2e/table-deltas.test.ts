import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kilnSuite, openDemo } from './server.js';
import { column } from './table-cells.js';

const LOSS = 'metrics dvclive/metrics.json train.loss';
const ACC = 'metrics dvclive/metrics.json val.acc';
const STEP = 'metrics dvclive/metrics.json step';
const LR = 'params params.yaml train.lr';

describe('deltas against a baseline row', () => {
  const suite = kilnSuite('kiln-e2e-deltas-');

  it('colours deltas by the metric goal, leaves unknown metrics and params neutral, and keeps precision', async () => {
    const { server, browser, home } = suite;
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openDemo(page, server.loginUrl);

    // The first commit (highest loss, lowest accuracy) is the baseline; deltas on.
    await page.locator('.grid .row .message', { hasText: /^Initial commit/ }).click();
    await page.getByRole('button', { name: 'Set baseline' }).click();
    await page.getByRole('button', { name: 'Δ Deltas' }).click();
    const latest = /^Tweak lr/;
    const cellOf = async (label: string) => {
      const cells = await column(page, label);
      const cell = cells.find((c) => latest.test(c.message));
      if (!cell) throw new Error(`no cell for ${label}: ${JSON.stringify(cells)}`);
      return cell;
    };
    await expect.poll(async () => (await cellOf(LOSS)).text).toMatch(/^−/);

    // Loss went down: better, green. Accuracy went up: better too. step and lr: no goal, neutral.
    const loss = await cellOf(LOSS);
    expect(loss.cls).toContain('better');
    const acc = await cellOf(ACC);
    expect(acc.text).toMatch(/^\+/);
    expect(acc.cls).toContain('better');
    for (const label of [STEP, LR]) {
      const c = await cellOf(label);
      expect(c.cls).not.toMatch(/better|worse/);
    }
    await page.screenshot({ path: join(home, 'deltas-better.png') });

    // Against the newest commit as baseline, the first commit's higher loss is worse, in red.
    await page.getByRole('button', { name: /^Baseline / }).click();
    await page.locator('.grid .row .message', { hasText: latest }).click();
    await page.getByRole('button', { name: 'Set baseline' }).click();
    await expect
      .poll(async () => (await column(page, LOSS)).find((c) => /^Initial/.test(c.message))?.text)
      .toMatch(/^\+/);
    const worse = (await column(page, LOSS)).find((c) => /^Initial/.test(c.message));
    expect(worse?.cls).toContain('worse');
    await expect(
      page
        .locator('.delta.worse')
        .first()
        .evaluate((el) => getComputedStyle(el).color),
    ).resolves.toBe('rgb(185, 28, 28)');

    // Every delta keeps the decimals of the values it compares (six at most), so none is clipped.
    for (const label of [LOSS, ACC]) {
      for (const c of await column(page, label)) {
        if (!c.cls.includes('delta') || c.text === '±0') continue;
        expect(c.text).toMatch(/^[+−]\d+(\.\d{1,6})?$/);
      }
    }
    const clipped = await page.evaluate(
      () =>
        [...document.querySelectorAll<HTMLElement>('.delta')].filter((d) => d.scrollWidth > d.clientWidth + 1)
          .length,
    );
    expect(clipped).toBe(0);

    // Marking a metric "higher is better" turns its colours round.
    const lossHeader = page.getByRole('button', { name: 'Goal for loss: lower' }).first();
    await lossHeader.click();
    await expect
      .poll(async () => (await column(page, LOSS)).find((c) => /^Initial/.test(c.message))?.cls)
      .toContain('better');
    await page.screenshot({ path: join(home, 'deltas-worse.png') });
    expect(errors).toEqual([]);
  }, 240_000);
});
