import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as chromiumService, suiteRequires } from '../../test/services.js';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { freePort, startKiln, type RunningServer } from './server.js';
import { MAKE_DVC_PROJECT } from '../../test/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURE = MAKE_DVC_PROJECT;
const run = promisify(execFile);

/** The CI tab against a local bare remote: params and a DVC-tracked input go into one pushed commit. */
describe('CI tab with replaced input data in a browser', () => {
  let home = '';
  let bare = '';
  let store = '';
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  // The login link works once: every test's pages share this context's session cookie.
  let context: BrowserContext | undefined;

  // Without Chromium each test is listed as skipped, with the reason.
  const up = suiteRequires(chromiumService);
  beforeAll(async () => {
    if (!up) return;
    home = await mkdtemp(join(tmpdir(), 'kiln-e2e-ci-data-'));
    // Outside the data dir: Kiln refuses a project source inside its own data dir.
    const repos = await mkdtemp(join(tmpdir(), 'kiln-e2e-ci-data-repo-'));
    bare = join(repos, 'repo.git');
    store = join(repos, 'dvc-store');
    await run(FIXTURE, [bare, '--commits', '3', '--bare', '--remote', store]);
    server = await startKiln(home, await freePort());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    await page.goto(server.loginUrl);
    await page.waitForURL((u) => u.pathname === '/', { timeout: 30_000 });
    await page.close();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (process.env.KILN_E2E_CLEAN === '1') await rm(home, { recursive: true, force: true });
  });

  it('commits a new data/data.xml: pushed to the DVC remote, .dvc updated on a new branch', async () => {
    if (!context || !server) throw new Error('setup failed');
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const created = await page.request.post(new URL('/api/projects', server.loginUrl).toString(), {
      data: { name: 'dvc', source: bare },
    });
    expect(created.status()).toBe(201);

    await page.goto(new URL('/projects/dvc', server.loginUrl).toString());
    const firstRow = page.locator('.grid .row:not(.row-skeleton)').first();
    for (let i = 0; i < 60 && !(await firstRow.isVisible()); i++) {
      await page.waitForTimeout(1000);
      const retry = page.getByRole('button', { name: 'Retry' });
      if (await retry.isVisible()) await retry.click();
    }
    await page.locator('.grid .row:not(.row-skeleton) .commit .message').first().click();
    await page.getByRole('button', { name: /Run/ }).first().click();
    const drawer = page.getByRole('dialog', { name: 'Run an experiment' });
    await drawer.getByLabel('params.yaml train.lr').fill('0.05');

    const data = '<posts>\n  <row Id="1" Body="data from the browser" />\n</posts>\n';
    await drawer.getByRole('tab', { name: /Input data/ }).click();
    await drawer.getByLabel('Path of a file to replace').fill('data/data.xml');
    const chooser = page.waitForEvent('filechooser');
    await drawer.getByRole('button', { name: 'Upload replacement…' }).click();
    await (await chooser).setFiles({ name: 'data.xml', mimeType: 'text/xml', buffer: Buffer.from(data) });
    await drawer.locator('.run-replaced', { hasText: 'data.xml' }).waitFor({ timeout: 30_000 });

    await drawer.getByRole('tab', { name: /^CI/ }).click();
    // The remote is plain Git: the tab says up front that a new branch gets no pull request.
    await drawer.getByRole('note').filter({ hasText: 'No pull request: The remote is plain Git' }).waitFor();
    await drawer.getByRole('textbox', { name: 'Commit message' }).fill('New data and lr 0.05');
    await drawer.getByLabel('New branch name').fill('new-data');
    await drawer.getByRole('button', { name: 'Commit changes' }).click();
    const outcome = drawer.locator('.run-ci-result, .banner-error').first();
    await outcome.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(home, 'ci-data.png') });
    const text = (await outcome.textContent()) ?? '';
    expect(text).toMatch(/Pushed [0-9a-f]{7} to new-data/);
    expect(text).toContain('data/data.xml: pushed to the DVC remote; data/data.xml.dvc updated');
    // The remote is plain Git: the UI says there is no pull request.
    expect(text).toContain('No pull request');

    const md5 = createHash('md5').update(data).digest('hex');
    const dvcFile = (await run('git', ['show', 'new-data:data/data.xml.dvc'], { cwd: bare })).stdout;
    expect(dvcFile).toContain(`md5: ${md5}`);
    expect(existsSync(join(store, 'files', 'md5', md5.slice(0, 2), md5.slice(2)))).toBe(true);
    const params = (await run('git', ['show', 'new-data:params.yaml'], { cwd: bare })).stdout;
    expect(params).toMatch(/lr: 0.05/);
    await page.close();
    expect(errors).toEqual([]);
  }, 240_000);

  it('commits the wizard workflow to a new branch of the bare remote', async () => {
    if (!context || !server) throw new Error('setup failed');
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL('/ci', server.loginUrl).toString());
    await expect
      .poll(() => page.getByTestId('workflow').textContent(), { timeout: 30_000 })
      .toContain('cml runner launch');
    await page.getByLabel('Project to commit to').selectOption('dvc');
    await page.getByLabel('New branch').fill('kiln/add-cml');
    await page.getByRole('button', { name: 'Commit this workflow' }).click();
    const result = page.locator('.wz-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toMatch(/Pushed [0-9a-f]{7} to kiln\/add-cml.*No pull request/);
    const file = (await run('git', ['show', 'kiln/add-cml:.github/workflows/cml.yaml'], { cwd: bare }))
      .stdout;
    expect(file).toBe(await page.getByTestId('workflow').textContent());
    const message = (await run('git', ['log', '-1', '--format=%s', 'kiln/add-cml'], { cwd: bare })).stdout;
    expect(message).toContain('[skip studio]');
    await page.close();
    expect(errors).toEqual([]);
  }, 120_000);

  it('"Create pull request" on a finished experiment is disabled and says there is none on plain Git', async () => {
    if (!context || !server) throw new Error('setup failed');
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const api = (p: string) => new URL(p, server?.loginUrl).toString();
    const created = await page.request.post(api('/api/projects/dvc/experiments'), {
      data: { rev: 'main', name: 'quick', script: 'echo quick\n' },
    });
    expect(created.status(), await created.text()).toBe(201);
    let exp: { status: string; resultCommit: string | null } = { status: 'queued', resultCommit: null };
    for (const until = Date.now() + 180_000; Date.now() < until;) {
      exp = (await (await page.request.get(api('/api/projects/dvc/experiments/quick'))).json()) as typeof exp;
      if (['succeeded', 'failed', 'cancelled', 'lost'].includes(exp.status)) break;
      await page.waitForTimeout(1000);
    }
    expect(exp.status).toBe('succeeded');
    await page.goto(api('/projects/dvc/experiments/quick'));
    // Offered disabled, with the reason, rather than failing after the click.
    const pr = page.getByRole('button', { name: /Create pull request/ });
    await expect.poll(() => pr.isDisabled()).toBe(true);
    await expect
      .poll(() => page.locator('#exp-no-pr').textContent())
      .toMatch(/^No pull requests: .*plain Git/);
    await page.screenshot({ path: join(home, 'experiment-pr-plain.png') });
    await page.close();
    expect(errors).toEqual([]);
  }, 240_000);
});
