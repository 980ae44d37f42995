import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { seriousViolations } from './axe.js';
import { kilnSuite, openDemoPage } from './server.js';

const NAME = 'exp-page';
const MESSAGE = 'Try forty epochs\n\nThe loss was still falling at thirty.';
// Not the demo's own 30: with its dvc.lock an unchanged train stage is skipped, not re-run.
const EPOCHS = 40;

// A second an epoch (the demo's training reads it from its environment): long enough to watch.
const suite = kilnSuite('kiln-e2e-exp-page-', { env: { DEMO_EPOCH_DELAY: '1' } });

/** A CSS colour as the browser computes it ("#4c78a8" and "rgb(76, 120, 168)" read the same). */
function normalized(page: Page, color: string): Promise<string> {
  return page.evaluate((c) => {
    const el = document.createElement('i');
    el.style.color = c;
    document.body.append(el);
    const out = getComputedStyle(el).color;
    el.remove();
    return out;
  }, color);
}

/** The colour a plot card draws the train/loss line in. */
async function lineColor(page: Page, scope: Locator): Promise<string> {
  const card = scope.locator('.plot-card', {
    has: page.locator('.plot-title', { hasText: /^train\/loss$/ }),
  });
  const line = card.locator('svg g.mark-line path').first();
  await line.waitFor({ timeout: 60_000 });
  return normalized(page, (await line.getAttribute('stroke')) ?? '');
}

describe('the experiment page of a run', () => {
  it('counts running time, plots in the Metrics tab in the table pane’s colour, keeps DVC progress plain and the message in the result commit', async () => {
    const { page, errors } = await openDemoPage(suite);
    const api = (p: string) => new URL(p, page.url()).href;
    const started = await page.request.post(api('/api/projects/demo/experiments'), {
      data: { rev: 'main', name: NAME, message: MESSAGE, set: [`train.epochs=${String(EPOCHS)}`] },
    });
    expect(started.status(), await started.text()).toBe(201);

    await page.goto(api(`/projects/demo/experiments/${NAME}`));
    // The running chip counts the time it has run, live.
    const chip = page.locator('.exp-title .status');
    await expect.poll(() => chip.textContent(), { timeout: 120_000 }).toMatch(/^running · \d+s$/);
    const seconds = async () => Number(/(\d+)s$/.exec((await chip.textContent()) ?? '')?.[1] ?? -1);
    const first = await seconds();
    await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThan(first);

    // The Metrics tab draws the run's curves while it runs.
    await page.getByRole('tab', { name: 'Metrics' }).click();
    const plots = page.locator('.exp-plots');
    const running = await lineColor(page, plots);
    await page.screenshot({ path: join(suite.home, 'experiment-metrics-running.png') });

    // DVC's stage progress goes to stderr, but only error reports are painted red.
    await page.getByRole('tab', { name: 'Log' }).click();
    const progress = page.locator('.log-line.log-stderr', { hasText: "Running stage 'train'" });
    await progress.first().waitFor({ timeout: 60_000 });
    await expect(progress.first().getAttribute('class')).resolves.not.toContain('log-error');
    const textColor = await progress
      .first()
      .locator('.log-text')
      .evaluate((e) => getComputedStyle(e).color);
    const [r = 0, g = 0] = (textColor.match(/\d+/g) ?? []).map(Number);
    expect(r - g, `"Running stage" is drawn in ${textColor}`).toBeLessThan(40);
    await expect(page.locator('.log-line.log-error').count()).resolves.toBe(0);

    await expect.poll(() => chip.textContent(), { timeout: 240_000, interval: 1000 }).toBe('succeeded');

    // Saved: drawn from the result commit, in the same colour; the confusion file only as a matrix.
    await page.getByRole('tab', { name: 'Metrics' }).click();
    expect(await lineColor(page, plots)).toBe(running);
    const confusion = plots.locator('.plot-card', {
      has: page.locator('.plot-template', { hasText: /^confusion$/ }),
    });
    await confusion.locator('svg g.mark-rect path').first().waitFor({ timeout: 60_000 });
    await expect(plots.locator('.plot-card[data-plot="eval/plots/confusion.json"]').count()).resolves.toBe(0);
    await expect(plots.locator('.plot-card').count()).resolves.toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(suite.home, 'experiment-metrics-done.png'), fullPage: true });
    expect(await seriousViolations(page, '.exp-page')).toEqual([]);

    // The table's plots pane draws it in the same colour, alone or with another row beside it.
    await page.goto(api('/projects/demo'));
    const row = page.locator('.grid .row', { has: page.locator('.exp-name', { hasText: NAME }) });
    await row.locator('.exp-name').click();
    await page.keyboard.press('p');
    const pane = page.locator('.plots-pane');
    expect(await lineColor(page, pane)).toBe(running);
    await pane.locator('.exp-chip', { hasText: NAME }).getByRole('button', { name: '+ Pin' }).click();
    await page.locator('.grid .row:not(.row-skeleton) .commit .message').first().click();
    await expect.poll(() => pane.locator('.exp-chip').count()).toBe(2);
    const chipColor = await pane
      .locator('.exp-chip', { hasText: NAME })
      .locator('i')
      .evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(chipColor).toBe(running);
    await page.screenshot({ path: join(suite.home, 'experiment-colour-in-pane.png') });

    // The result commit's message is the one typed, with where it came from.
    const exp = (await (await page.request.get(api(`/api/projects/demo/experiments/${NAME}`))).json()) as {
      resultCommit: string;
    };
    const { stdout } = await promisify(execFile)('git', [
      '--git-dir',
      join(suite.home, 'repos', 'demo.git'),
      'log',
      '-1',
      '--format=%B',
      exp.resultCommit,
    ]);
    expect(stdout.trim()).toMatch(
      new RegExp(
        `^${NAME}: Try forty epochs\\n\\nThe loss was still falling at thirty\\.\\n\\nRun by Kiln, experiment from [0-9a-f]{7}\\.$`,
      ),
    );
    expect(errors).toEqual([]);
  }, 600_000);
});
