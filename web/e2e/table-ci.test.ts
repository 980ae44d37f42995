import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as chromiumService, suiteRequires } from '../../test/services.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FakeForge, type Answer } from '../../test/fake-forge.js';
import { freePort, startKiln, type RunningServer } from './server.js';
import { makeWideRepo } from './table-wide-repo.js';

const CHROMIUM = '/usr/bin/chromium';
const COMMITS = 300;
// A GitHub-style source that git sends to a local bare repo, and a recorded GitHub API.
const SOURCE = 'https://forge.test/octo/wide.git';
const REPO = '/repos/octo/wide';

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not true within ${String(timeoutMs)} ms: ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('experiments table: CI status of the commits on screen', () => {
  let home = '';
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let gh: FakeForge | undefined;
  let page: Page;
  let revs: string[] = [];
  const asked: string[][] = [];
  const saved = { ...process.env };

  // Without Chromium each test is listed as skipped, with the reason.
  const up = suiteRequires(chromiumService);
  beforeAll(async () => {
    if (!up) return;
    home = await mkdtemp(join(tmpdir(), 'kiln-e2e-ci-'));
    const repo = join(home, 'wide-repo');
    makeWideRepo(repo, { commits: COMMITS, params: 4, metrics: 2 });
    revs = execFileSync('git', ['rev-list', 'main'], { cwd: repo, encoding: 'utf8' }).trim().split('\n');
    const head = revs[0] ?? '';
    const bare = join(home, 'wide.git');
    execFileSync('git', ['clone', '-q', '--bare', repo, bare]);
    const routes: Record<string, Answer> = {
      [`GET ${REPO}/commits/${head}/status`]: { json: { state: 'pending', statuses: [] } },
      [`GET ${REPO}/commits/${head}/check-runs`]: {
        json: {
          check_runs: [
            { name: 'train', status: 'completed', conclusion: 'success', html_url: 'https://ci.test/run/7' },
          ],
        },
      },
      [`GET ${REPO}/commits/${head}/comments`]: { json: [] },
    };
    gh = await new FakeForge(routes).start();
    // The server (a child process) inherits this: its git fetches the bare repo for the https URL.
    Object.assign(process.env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `url.${bare}.insteadOf`,
      GIT_CONFIG_VALUE_0: SOURCE,
    });
    server = await startKiln(home, await freePort());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('request', (r) => {
      const m = /\/ci\/commits\?shas=([^&]*)/.exec(r.url());
      if (m?.[1] !== undefined) asked.push(decodeURIComponent(m[1]).split(','));
    });
    await page.goto(server.loginUrl);
    await page.waitForURL((u) => u.pathname === '/', { timeout: 30_000 });
    const base = new URL(page.url()).origin;
    const settings = await page.request.put(`${base}/api/ci/settings`, {
      data: { hosts: [{ host: 'forge.test', kind: 'github', apiUrl: gh.url }], webhookSecret: 'generate' },
    });
    expect(settings.ok(), await settings.text()).toBe(true);
    const add = await page.request.post(`${base}/api/projects`, {
      data: { name: 'wide', source: SOURCE, credentials: { kind: 'https-token', token: 'ghp_e2e' } },
    });
    expect(add.status(), await add.text()).toBe(201);
    await until(
      async () =>
        ((await (await page.request.get(`${base}/api/projects/wide`)).json()) as { fetch: { state: string } })
          .fetch.state === 'ok',
      60_000,
    );
    await page.goto(`${base}/projects/wide`);
    await page.locator('.grid .row:not(.row-skeleton)').first().waitFor({ timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await gh?.close();
    process.env = saved;
    if (process.env.KILN_E2E_CLEAN === '1') await rm(home, { recursive: true, force: true });
  });

  it("shows the head commit's CI run in its row, linking to the run", async () => {
    const headRow = page.locator('.grid .row', { has: page.locator('.chip-branch', { hasText: 'main' }) });
    const badge = headRow.locator('.ci-badge[data-ci-state="passed"]');
    await expect.poll(() => badge.isVisible(), { timeout: 30_000 }).toBe(true);
    const link = badge.getByRole('link', { name: 'CI passed: open the CI run' });
    expect(await link.getAttribute('href')).toBe('https://ci.test/run/7');
    // Commits the forge knows nothing about show no badge.
    expect(await page.locator('.grid .row .ci-badge').count()).toBe(1);
  }, 60_000);

  it('asks only for the commits on screen, in batches, and for more as the grid scrolls', async () => {
    const firstAsks = new Set(asked.flat());
    expect(firstAsks.has(revs[0] ?? '')).toBe(true);
    // 900 px of rows is about 30 commits: nothing near all 300 was asked for.
    expect(firstAsks.size).toBeLessThan(80);
    const before = asked.length;
    await page.locator('.grid').evaluate((g) => (g.scrollTop = g.scrollHeight));
    const oldest = revs[revs.length - 1] ?? '';
    await expect.poll(() => asked.slice(before).flat().includes(oldest), { timeout: 10_000 }).toBe(true);
    for (const batch of asked) expect(batch.length).toBeLessThan(80);
    expect(new Set(asked.flat()).size).toBeLessThan(COMMITS / 2);
  }, 60_000);
});
