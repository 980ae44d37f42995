import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe.js';
import { kilnSuite, openDemoPage } from './server.js';
import { column } from './table-cells.js';

const NAME = 'row-exp';
const BRANCH = 'from-row-exp';
const LIVE_LR = 'params dvclive/params.yaml lr';
const LOSS = 'metrics dvclive/metrics.json train.loss';

const suite = kilnSuite('kiln-e2e-rows-');

describe('rows show what their commit holds; selection is per row', () => {
  it('dvclive/params.yaml in every commit row, a branch row with its experiment’s values, checks per row, an aligned Create-branch checkbox', async () => {
    const { page, errors } = await openDemoPage(suite);
    await page.setViewportSize({ width: 1600, height: 900 });
    const api = (p: string) => new URL(p, page.url()).href;

    // Before any run: DVCLive's logged params show in every commit row (each commit holds the file).
    await expect.poll(async () => (await column(page, LIVE_LR)).length).toBeGreaterThan(0);
    const before = (await column(page, LIVE_LR)).filter((c) => c.exp === '');
    expect(before.length).toBeGreaterThanOrEqual(4);
    for (const c of before) expect(c.text, `${c.message}: ${c.text}`).toMatch(/^\d/);
    await page.screenshot({ path: join(suite.home, 'rows-dvclive-params.png') });

    // A run (not the demo's 30 epochs: with its dvc.lock an unchanged stage is skipped).
    const started = await page.request.post(api('/api/projects/demo/experiments'), {
      data: { rev: 'main', name: NAME, set: ['train.epochs=12', 'train.lr=0.07'] },
    });
    expect(started.status(), await started.text()).toBe(201);
    await expect
      .poll(
        async () =>
          (
            (await (await page.request.get(api(`/api/projects/demo/experiments/${NAME}`))).json()) as {
              status: string;
            }
          ).status,
        { timeout: 300_000, interval: 1000 },
      )
      .toBe('succeeded');

    // A branch from it, through the experiment page's popover: its checkbox sits beside its label.
    await page.goto(api(`/projects/demo/experiments/${NAME}`));
    await page.getByRole('button', { name: /^Create branch/ }).click();
    const form = page.locator('.exp-branch-form');
    await form.waitFor();
    // Measured in one frame, relative to its label (the popover may still be sliding into place).
    const place = await form.locator('label.check').evaluate((label) => {
      const l = label.getBoundingClientRect();
      const b = label.querySelector('input')?.getBoundingClientRect();
      return (
        b && { width: b.width, left: b.left - l.left, middle: b.top + b.height / 2 - (l.top + l.height / 2) }
      );
    });
    if (!place) throw new Error('no checkbox in the Create-branch popover');
    expect(place.width, 'the checkbox keeps its own size').toBeLessThan(24);
    expect(place.left, 'the checkbox starts its line').toBeLessThan(4);
    expect(Math.abs(place.middle), 'the checkbox is centred on its text').toBeLessThan(3);
    await page.screenshot({ path: join(suite.home, 'create-branch-popover.png') });
    expect(await seriousViolations(page, '.exp-branch-form')).toEqual([]);
    await form.getByRole('textbox').fill(BRANCH);
    await form.getByRole('button', { name: 'Create branch' }).click();
    await form.waitFor({ state: 'detached' });

    // The branch row and the experiment row are the same commit: the same values, none missing.
    await page.goto(api('/projects/demo'));
    // The table reads the new branch on its next fetch: ask for it now.
    await page.getByRole('button', { name: /Reload/ }).click();
    const branchCell = async (label: string) =>
      (await column(page, label)).find((c) => c.branches.includes(BRANCH));
    const expCell = async (label: string) => (await column(page, label)).find((c) => c.exp === NAME);
    await expect.poll(async () => (await branchCell(LIVE_LR))?.text, { timeout: 60_000 }).toBe('0.07');
    expect((await expCell(LIVE_LR))?.text).toBe('0.07');
    const loss = await expCell(LOSS);
    expect(loss?.text).toMatch(/^\d/);
    expect((await branchCell(LOSS))?.text).toBe(loss?.text);

    // Checking the experiment leaves the branch row unchecked, and the other way round.
    const expRow = page.locator('.grid .row', { has: page.locator('.exp-name', { hasText: NAME }) });
    const branchRow = page.locator('.grid .row', { has: page.locator('.chip-branch', { hasText: BRANCH }) });
    const expCheck = expRow.locator('input.row-check');
    const branchCheck = branchRow.locator('input.row-check');
    await expCheck.click();
    await expect.poll(() => expCheck.isChecked()).toBe(true);
    expect(await branchCheck.isChecked()).toBe(false);
    await branchCheck.click();
    await expCheck.click();
    await expect.poll(() => expCheck.isChecked()).toBe(false);
    expect(await branchCheck.isChecked()).toBe(true);
    // Selecting one row marks that row only.
    await expRow.locator('.exp-name').click();
    await expect.poll(() => page.locator('.grid .row.selected').count()).toBe(1);
    await page.screenshot({ path: join(suite.home, 'rows-branch-and-experiment.png') });
    expect(await seriousViolations(page, '.grid')).toEqual([]);
    expect(errors).toEqual([]);
  }, 600_000);
});
