import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { chromium as chromiumService, suiteRequires } from '../../test/services.js';
import { launchChromium } from './chromium.js';

export { launchChromium };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningServer {
  loginUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the real `kiln serve` on a fresh data dir and resolves with the login link it prints. */
export async function startKiln(
  home: string,
  port: number,
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  for (const built of ['dist/cli/main.js', 'web/dist/index.html']) {
    if (!existsSync(repoRoot + built))
      throw new Error(`${built} is missing: run \`npm run build\` before the browser test`);
  }
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/kiln.js', 'serve', '--home', home, '--port', String(port)],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Fixture repositories are temp dirs.
      env: { ...process.env, KILN_SOURCE_ROOTS: tmpdir(), KILN_ALLOW_PRIVATE_SOURCES: '1', ...env },
    },
  );
  let log = '';
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  const loginUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no login link within ${String(timeoutMs)} ms:\n${log}`)),
      timeoutMs,
    );
    const check = () => {
      const m = /Login: (http\S+)/.exec(log);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kiln serve exited with ${String(code)}:\n${log}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { loginUrl, output: () => log, stop };
}

/**
 * Opens `start` (the login link, or any page once logged in), then the demo project's table once
 * it is there: the demo is generated after the login link is printed.
 */
export async function openDemo(page: Page, start: string): Promise<void> {
  await page.goto(start);
  await page.waitForURL((u) => u.pathname === '/', { timeout: 60_000 });
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
    const retry = page.getByRole('button', { name: 'Retry' });
    if (await retry.isVisible()) await retry.click();
  }
}

/** A browser test file's Kiln server and Chromium; reading either before they started throws. */
export interface KilnSuite {
  /** The server's data dir: screenshots go there for a human to look at. */
  readonly home: string;
  readonly server: RunningServer;
  readonly browser: Browser;
}

/**
 * Starts a real `kiln serve` on a fresh data dir (with `opts.env` added to its environment, which
 * its local agents and their jobs inherit) and Debian's Chromium before the file's tests, and stops
 * both after them (the data dir stays unless KILN_E2E_CLEAN=1).
 */
export function kilnSuite(prefix: string, opts: { env?: Record<string, string> } = {}): KilnSuite {
  let home = '';
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  // Without Chromium each test is listed as skipped, with the reason.
  const up = suiteRequires(chromiumService);
  beforeAll(async () => {
    if (!up) return;
    home = await mkdtemp(join(tmpdir(), prefix));
    server = await startKiln(home, await freePort(), 60_000, opts.env);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (process.env.KILN_E2E_CLEAN === '1') await rm(home, { recursive: true, force: true });
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('setup failed: the server or Chromium did not start');
    return v;
  };
  return {
    get home() {
      return home;
    },
    get server() {
      return ready(server);
    },
    get browser() {
      return ready(browser);
    },
  };
}

/**
 * A new 1440×900 page of the suite's browser on the demo's table, and the page errors it collects
 * (each test ends by expecting none).
 */
export async function openDemoPage(suite: KilnSuite): Promise<{ page: Page; errors: string[] }> {
  const page = await suite.browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openDemo(page, suite.server.loginUrl);
  return { page, errors };
}

/** `kiln …` beside the suite's server (`--home` is the caller's to pass), its stdout trimmed. */
export function kilnCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['bin/kiln.js', ...args], { cwd: repoRoot }, (err, out, errOut) =>
      err ? reject(new Error(`kiln ${args.join(' ')}: ${errOut}`)) : resolve(out.trim()),
    );
  });
}

/**
 * A new 1440×900 page signed in as `user` (the admin by default) in a browser context of its own,
 * with a token `kiln admin token` prints: the suite's login link works once only.
 */
export async function signedInPage(suite: KilnSuite, user?: string): Promise<Page> {
  const origin = new URL(suite.server.loginUrl).origin;
  const token = await kilnCli(['admin', 'token', '--home', suite.home, ...(user ? ['--user', user] : [])]);
  const context = await suite.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const res = await context.request.post(`${origin}/api/auth/login`, { data: { token } });
  if (res.status() !== 200) throw new Error(`sign-in as ${user ?? 'admin'}: ${await res.text()}`);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}
