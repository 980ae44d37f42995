import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as chromiumService, suiteRequires } from '../../test/services.js';
import { chromium, type Browser } from 'playwright-core';
import { freePort, openDemo, startKiln, type RunningServer } from './server.js';

const CHROMIUM = '/usr/bin/chromium';

describe('CI wizard in a browser', () => {
  let home = '';
  let server: RunningServer | undefined;
  let browser: Browser | undefined;

  // Without Chromium each test is listed as skipped, with the reason.
  const up = suiteRequires(chromiumService);
  beforeAll(async () => {
    if (!up) return;
    home = await mkdtemp(join(tmpdir(), 'kiln-e2e-ci-'));
    server = await startKiln(home, await freePort());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (process.env.KILN_E2E_CLEAN === '1') await rm(home, { recursive: true, force: true });
  });

  it('updates the workflow as a field changes and copies it', async () => {
    if (!browser || !server) throw new Error('setup failed');
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(server.loginUrl).origin,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.loginUrl);
    await page.waitForURL((u) => u.pathname === '/', { timeout: 20_000 });
    await page.goto(new URL('/ci', server.loginUrl).toString());

    const code = page.getByTestId('workflow');
    await expect.poll(() => code.textContent(), { timeout: 20_000 }).toContain('cml runner launch');
    expect(await code.textContent()).toContain('--cloud-hdd-size=100');

    await page.locator('input[name=hdd]').fill('250');
    await expect.poll(() => code.textContent(), { timeout: 10_000 }).toContain('250');
    await page.locator('input[name=hdd]').fill('40');
    await expect.poll(() => page.getByText('Below 100 GB').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByRole('button', { name: 'GitLab CI' }).click();
    await expect
      .poll(() => page.locator('.wz-path').textContent(), { timeout: 10_000 })
      .toBe('.gitlab-ci.yml');

    await page.locator('input[name=region]').fill('us west');
    await expect
      .poll(() => page.getByText('Fix the highlighted fields').isVisible(), { timeout: 10_000 })
      .toBe(true);
    await page.locator('input[name=region]').fill('eu-west');
    await expect.poll(() => code.textContent(), { timeout: 10_000 }).toContain('eu-west');

    await page.getByRole('button', { name: 'Copy to clipboard' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Copied ✓' }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await code.textContent());
    await page.screenshot({ path: join(home, 'ci-wizard.png'), fullPage: true });

    // Settings → Credentials and Compute profiles: per-kind fields, validation before sending.
    await page.goto(new URL('/settings', server.loginUrl).toString());
    const creds = page.getByRole('form', { name: 'Add a credential' });
    await creds.getByPlaceholder('aws-prod').fill('aws-test');
    await creds.getByRole('button', { name: 'Save credential' }).click();
    await expect.poll(() => creds.getByText('required').first().isVisible(), { timeout: 10_000 }).toBe(true);
    await page
      .getByRole('form', { name: 'Add a compute profile' })
      .getByRole('combobox')
      .first()
      .selectOption('slurm');
    await expect.poll(() => page.getByText('Partition').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: join(home, 'settings.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);

  it('generates, shows, rotates and removes a project’s webhook secret in its settings', async () => {
    if (!browser || !server) throw new Error('setup failed');
    // The login link works once: this page shares the first test's logged-in context.
    const context = browser.contexts()[0];
    if (!context) throw new Error('the first test left no logged-in context');
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The demo project is made in the background at first start: wait for its table.
    await openDemo(page, new URL('/', server.loginUrl).toString());
    await page.goto(new URL('/projects/demo/settings', server.loginUrl).toString());
    const hook = page.getByRole('region', { name: 'Webhook' });
    await expect
      .poll(() => hook.textContent(), { timeout: 20_000 })
      .toContain('the server-wide secret applies');
    expect(await hook.locator('.webhook-paths li').allTextContents()).toContain(
      new URL('/webhook/github', server.loginUrl).toString(),
    );

    await hook.getByRole('button', { name: 'Generate a secret' }).click();
    const secret = hook.locator('.webhook-secret');
    await expect.poll(() => secret.textContent(), { timeout: 10_000 }).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const first = (await secret.textContent()) ?? '';
    // The server keeps it: the API answers the same secret, and a reload shows it masked.
    const stored = await page.evaluate(() =>
      fetch('/api/projects/demo/ci/webhook', { credentials: 'same-origin' }).then((r) => r.json()),
    );
    expect(stored).toMatchObject({ project: 'demo', secret: first });
    await page.reload();
    await expect.poll(() => secret.textContent(), { timeout: 20_000 }).toMatch(/^•+$/);
    await hook.getByRole('button', { name: 'Show' }).click();
    await expect(secret.textContent()).resolves.toBe(first);

    await hook.getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => secret.textContent(), { timeout: 10_000 }).not.toBe(first);
    await page.screenshot({ path: join(home, 'project-webhook.png'), fullPage: true });
    page.once('dialog', (d) => void d.accept());
    await hook.getByRole('button', { name: 'Remove' }).click();
    await expect
      .poll(() => hook.textContent(), { timeout: 10_000 })
      .toContain('the server-wide secret applies');
    await page.close();
    expect(errors).toEqual([]);
  }, 120_000);
});
