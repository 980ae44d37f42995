import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDemo, kilnSuite } from './server.js';

/** `kiln …` on the suite's data dir, as an operator runs it beside the server. */
function kiln(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/kiln.js', ...args],
      { cwd: join(import.meta.dirname, '../..') },
      (err, out, errOut) => (err ? reject(new Error(`${args.join(' ')}: ${errOut}`)) : resolve(out.trim())),
    );
  });
}

describe('Roles in the browser', () => {
  const suite = kilnSuite('kiln-e2e-roles-');

  it('a viewer sees Run disabled with the reason; a member of team vision sees only its projects', async () => {
    const { server, browser, home } = suite;
    const errors: string[] = [];
    // The admin opens the demo (the default team's project) and adds a project to a new team.
    const admin = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    admin.setDefaultTimeout(60_000);
    admin.on('pageerror', (e) => errors.push(e.message));
    await openDemo(admin, server.loginUrl);
    await admin.getByRole('button', { name: '▶ Run' }).waitFor();
    expect(await admin.getByRole('button', { name: '▶ Run' }).isDisabled()).toBe(false);
    const origin = new URL(admin.url()).origin;
    expect((await admin.request.post(`${origin}/api/teams`, { data: { name: 'vision' } })).status()).toBe(
      201,
    );
    const added = await admin.request.post(`${origin}/api/projects`, {
      data: { name: 'cats', source: join(home, 'demo-repo'), team: 'vision' },
    });
    expect(added.status()).toBe(201);

    await kiln(['admin', 'user', 'vera', '--home', home, '--team', 'default', '--role', 'viewer']);
    await kiln(['admin', 'user', 'mo', '--home', home, '--team', 'vision', '--role', 'member']);
    const signIn = async (user: string) => {
      const token = await kiln(['admin', 'token', '--home', home, '--user', user]);
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      expect((await context.request.post(`${origin}/api/auth/login`, { data: { token } })).status()).toBe(
        200,
      );
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      page.on('pageerror', (e) => errors.push(e.message));
      return page;
    };

    // The viewer: Run is there, disabled, and says why — no failure after a click.
    const vera = await signIn('vera');
    await vera.goto(`${origin}/projects/demo`);
    const run = vera.getByRole('button', { name: '▶ Run' });
    await run.waitFor();
    expect(await run.isDisabled()).toBe(true);
    const reason = 'viewers cannot run experiments — ask a maintainer of team default';
    await vera.getByRole('note').filter({ hasText: reason }).waitFor();
    expect(await run.getAttribute('title')).toBe(reason);
    await vera.keyboard.press('r');
    expect(await vera.locator('.drawer').count()).toBe(0);
    await vera.screenshot({ path: join(home, 'viewer-run-disabled.png') });

    // The member of vision: the projects page lists cats only; demo does not exist for them.
    const mo = await signIn('mo');
    await mo.goto(`${origin}/`);
    await mo.locator('a.project-name', { hasText: /^cats$/ }).waitFor();
    expect(await mo.locator('a.project-name').allTextContents()).toEqual(['cats']);
    const hidden = await mo.request.get(`${origin}/api/projects/demo`);
    expect(hidden.status()).toBe(404);
    await mo.screenshot({ path: join(home, 'member-projects.png') });
    expect(errors).toEqual([]);
  }, 240_000);
});
