import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as chromiumService, suiteRequires } from '../../test/services.js';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort, launchChromium, openDemo, startKiln, type RunningServer } from './server.js';

let loggedIn = false;

/** The login link works once: later pages share the browser context's session cookie. */
async function openDemoOnce(page: Page, loginUrl: string): Promise<void> {
  // The login link works once; later pages of the shared context are already logged in.
  await openDemo(page, loggedIn ? new URL('/', loginUrl).toString() : loginUrl);
  loggedIn = true;
}

/** A new page on the demo table, and the page errors it collects (each test expects none). */
async function demoPage(
  context: BrowserContext,
  loginUrl: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  // The machine may be busy with other builds: give every step room.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openDemoOnce(page, loginUrl);
  return { page, errors };
}

describe('run drawer and experiment page in a browser', () => {
  let home = '';
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  // Without Chromium each test is listed as skipped, with the reason.
  const up = suiteRequires(chromiumService);
  beforeAll(async () => {
    if (!up) return;
    home = await mkdtemp(join(tmpdir(), 'kiln-e2e-run-'));
    server = await startKiln(home, await freePort());
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    // The tmp dir keeps the screenshots for a human to look at; only remove it when asked to.
    if (process.env.KILN_E2E_CLEAN === '1') await rm(home, { recursive: true, force: true });
  });

  it('changes train.lr, runs, streams the log and sees succeeded', async () => {
    if (!context || !server) throw new Error('setup failed');
    const { page, errors } = await demoPage(context, server.loginUrl);

    // Select the newest commit and open the drawer with `r`.
    await page.locator('.grid .row:not(.row-skeleton) .commit .message').first().click();
    await page.keyboard.press('r');
    const drawer = page.getByRole('dialog', { name: 'Run an experiment' });
    await drawer.waitFor();
    const lr = drawer.getByLabel('params.yaml train.lr');
    await lr.waitFor({ timeout: 30_000 });
    const original = await lr.inputValue();
    expect(Number(original)).toBeGreaterThan(0);

    await lr.fill('0.2');
    await expect.poll(() => drawer.locator('.run-param.changed').count()).toBe(1);
    await expect(drawer.locator('.run-diff-badge').textContent()).resolves.toContain('1 change');

    // A sweep shows its size, a wrong type is refused; both reset back.
    const epochs = drawer.getByLabel('params.yaml train.epochs');
    await epochs.fill('choice(5,10,20)');
    await expect(drawer.locator('.run-submit').textContent()).resolves.toBe('Run 3 experiments');
    await epochs.fill('many');
    await expect(drawer.locator('.run-submit').isDisabled()).resolves.toBe(true);
    await drawer.locator('.run-param[data-key="train.epochs"] button[title^="Back"]').click();
    await expect(drawer.locator('.run-submit').textContent()).resolves.toBe('Run');
    await drawer.getByRole('tab', { name: /Script/ }).click();
    const script = drawer.getByLabel('Job script');
    const defaultScript = await script.inputValue();
    expect(defaultScript).not.toBe('');
    // A coloured line on stderr at the end: the log must render it in colour, in order.
    await script.fill(`${defaultScript.trimEnd()}\nprintf '\\033[1;32mall good\\033[0m\\n' >&2\n`);
    await expect.poll(() => drawer.locator('.run-edited').isVisible(), { timeout: 10_000 }).toBe(true);
    await drawer.getByRole('tab', { name: /Parameters/ }).click();
    await page.screenshot({ path: join(home, 'run-drawer.png') });

    const name = await drawer.locator('.run-name input').inputValue();
    expect(name).toMatch(/^[a-z]+-[a-z]+/);
    await drawer.locator('.run-submit').click();
    await drawer.waitFor({ state: 'detached' });

    // The new row shows under its baseline at once; open it.
    const row = page.locator('.grid .row', { has: page.locator('.exp-name', { hasText: name }) });
    await row.waitFor({ timeout: 20_000 });
    await row.locator('.exp-name').click();
    await page.screenshot({ path: join(home, 'table-with-experiment.png') });
    await page.getByRole('button', { name: /Open/ }).click();
    await page.waitForURL(new RegExp(`/projects/demo/experiments/${name}$`));

    await page.locator('.log-line').first().waitFor({ timeout: 120_000 });
    await page.screenshot({ path: join(home, 'experiment-running.png') });
    await expect
      .poll(() => page.locator('.exp-title .status').textContent(), { timeout: 240_000, interval: 1000 })
      .toBe('succeeded');
    await page.locator('.log-end').waitFor({ timeout: 20_000 });
    expect(await page.locator('.log-line').count()).toBeGreaterThan(1);
    const green = page.locator('.log-stderr .log-text span', { hasText: 'all good' });
    await expect(green.evaluate((el) => getComputedStyle(el).color)).resolves.toBe('rgb(74, 222, 128)');
    await expect(page.locator('.log-line').last().textContent()).resolves.toContain('kiln: saved');
    await page.screenshot({ path: join(home, 'experiment-succeeded.png') });

    await page.getByRole('tab', { name: /Metrics/ }).click();
    await page.locator('.exp-metrics tbody tr').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(home, 'experiment-metrics.png') });

    await page.getByRole('tab', { name: /Changes/ }).click();
    await expect(page.locator('.diff-new').first().textContent({ timeout: 20_000 })).resolves.toBe('0.2');
    await expect(page.locator('.diff-old').first().textContent()).resolves.toBe(original);
    await page.screenshot({ path: join(home, 'experiment-changes.png') });
    await page.close();
    expect(errors).toEqual([]);
  }, 420_000);
  it('uploads a replacement input with progress and commits params for CI', async () => {
    if (!context || !server) throw new Error('setup failed');
    const { page, errors } = await demoPage(context, server.loginUrl);
    await page.locator('.grid .row:not(.row-skeleton) .commit .message').first().click();
    await page.getByRole('button', { name: /Run/ }).first().click();
    const drawer = page.getByRole('dialog', { name: 'Run an experiment' });
    await drawer.getByLabel('params.yaml train.lr').fill('0.25');

    await drawer.getByRole('tab', { name: /Input data/ }).click();
    await drawer.getByLabel('Path of a file to replace').fill('data/dataset.csv');
    const chooser = page.waitForEvent('filechooser');
    await drawer.getByRole('button', { name: 'Upload replacement…' }).click();
    await (
      await chooser
    ).setFiles({ name: 'extra.csv', mimeType: 'text/csv', buffer: Buffer.alloc(256 * 1024, 'a,b\n') });
    await drawer.locator('.run-replaced', { hasText: 'extra.csv' }).waitFor({ timeout: 30_000 });
    await expect(drawer.locator('.run-diff-badge').textContent()).resolves.toContain('2 changes');
    await page.screenshot({ path: join(home, 'run-drawer-inputs.png') });
    await drawer.locator('.run-input-row.changed button[title^="Keep"]').click();

    await drawer.getByRole('tab', { name: /Compute/ }).click();
    await drawer.getByLabel('Timeout in minutes').fill('30');
    await drawer.getByRole('tab', { name: /^CI/ }).click();
    await drawer.getByRole('textbox', { name: 'Commit message' }).fill('Try lr 0.25 in CI');
    await drawer.getByRole('button', { name: 'Commit changes' }).click();
    // The demo's remote is plain Git: the commit is pushed on a new branch and no pull request opens.
    const outcome = drawer.locator('.run-ci-result, .banner-error').first();
    await outcome.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(home, 'run-drawer-ci.png') });
    await expect(outcome.textContent()).resolves.toMatch(/Pushed [0-9a-f]{7} to exp-/);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.close();
    expect(errors).toEqual([]);
  }, 240_000);
  it('cancels a running experiment from its page', async () => {
    if (!context || !server) throw new Error('setup failed');
    const { page, errors } = await demoPage(context, server.loginUrl);
    await page.locator('.grid .row:not(.row-skeleton) .commit .message').first().click();
    await page.keyboard.press('r');
    const drawer = page.getByRole('dialog', { name: 'Run an experiment' });
    await drawer.getByRole('tab', { name: /Script/ }).click();
    await drawer.getByLabel('Job script').fill('echo "waiting for a cancel"\nsleep 120\n');
    const name = await drawer.locator('.run-name input').inputValue();
    await drawer.locator('.run-submit').click();
    await drawer.waitFor({ state: 'detached' });
    await page.goto(new URL(`/projects/demo/experiments/${name}`, server.loginUrl).toString());
    await page.locator('.log-line', { hasText: 'waiting for a cancel' }).waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => page.locator('.exp-title .status').textContent(), { timeout: 60_000, interval: 1000 })
      .toBe('cancelled');
    await expect(page.getByRole('button', { name: 'Cancel' }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(home, 'experiment-cancelled.png') });
    await page.close();
    expect(errors).toEqual([]);
  }, 300_000);
  it('runs on a cloud profile with its own machine: resolved type, price and estimate, shown on the experiment', async () => {
    if (!context || !server) throw new Error('setup failed');
    const { page, errors } = await demoPage(context, server.loginUrl);
    // An admin's AWS credential and a spot GPU profile (no VM starts: this machine has no network).
    const status = await page.evaluate(async () => {
      const post = (url: string, body: unknown) =>
        fetch(url, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.status);
      return [
        await post('/api/compute/credentials', {
          name: 'aws-lab',
          secret: {
            kind: 'aws',
            accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
            secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          },
        }),
        await post('/api/compute/profiles', {
          name: 'gpu-spot',
          kind: 'aws',
          settings: {
            credential: 'aws-lab',
            region: 'us-west',
            type: 'm',
            spot: true,
            maxTimeoutSec: 43200,
            image: 'ami-0123456789abcdef0',
          },
        }),
      ];
    });
    expect(status).toEqual([201, 201]);

    await page.locator('.grid .row:not(.row-skeleton) .commit .message').first().click();
    await page.keyboard.press('r');
    const drawer = page.getByRole('dialog', { name: 'Run an experiment' });
    await drawer.getByRole('tab', { name: /Compute/ }).click();
    await drawer.getByRole('radio', { name: 'gpu-spot' }).check();
    const resolved = drawer.locator('.run-machine-resolved');
    // The profile's defaults: CML's `m` in `us-west` is an m5.2xlarge in us-west-1.
    await expect.poll(() => resolved.textContent()).toContain('m5.2xlarge');
    // The form's 24 h timeout was over the profile's 12 h limit: picking it capped the timeout.
    await expect(drawer.getByLabel('Timeout in minutes').inputValue()).resolves.toBe('720');
    await drawer.getByLabel('Timeout in minutes').fill('120');
    await drawer.getByLabel('GPU', { exact: true }).fill('t4');
    await drawer.getByLabel('Disk (GB)').fill('100');
    await expect.poll(() => resolved.textContent()).toContain('g4dn.xlarge · 100 GB disk · spot');
    await expect(drawer.locator('.run-machine-price').textContent()).resolves.toMatch(
      /^\$\d+\.\d\d\/h on demand · at most \$\d+\.\d\d for the 2 h timeout$/,
    );
    // Past the profile's limits: the server's reason shows at once, and the form says so for the timeout.
    await drawer.getByLabel('Timeout in minutes').fill('1000');
    await expect
      .poll(() => drawer.locator('.run-compute [role=alert]').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining('gpu-spot allows runs of at most 12h 00m')]));
    await expect.poll(() => resolved.textContent()).toMatch(/over this profile's limit.*43200s/);
    await drawer.getByLabel('Timeout in minutes').fill('120');
    await drawer.getByLabel('Disk (GB)').fill('4');
    await expect(drawer.locator('.run-submit').isDisabled()).resolves.toBe(true);
    await drawer.getByLabel('Disk (GB)').fill('100');
    await expect.poll(() => resolved.textContent()).toContain('g4dn.xlarge');
    await expect(drawer.locator('.run-footer').textContent()).resolves.toContain('on gpu-spot');
    await page.screenshot({ path: join(home, 'run-drawer-cloud.png') });
    const name = await drawer.locator('.run-name input').inputValue();
    await drawer.locator('.run-submit').click();
    await drawer.waitFor({ state: 'detached' });

    await page.goto(new URL(`/projects/demo/experiments/${name}`, server.loginUrl).toString());
    const facts = page.locator('.exp-facts');
    await expect.poll(() => facts.textContent()).toContain('gpu-spot');
    await expect(facts.textContent()).resolves.toContain('g4dn.xlarge · 100 GB disk · spot');
    await page.screenshot({ path: join(home, 'experiment-cloud.png') });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => page.locator('.exp-title .status').textContent(), { timeout: 60_000, interval: 1000 })
      .toBe('cancelled');
    await page.close();
    expect(errors).toEqual([]);
  }, 240_000);
});
