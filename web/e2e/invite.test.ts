import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kilnSuite } from './server.js';

describe('Invite → accept → signed in as the new member', () => {
  const suite = kilnSuite('kiln-e2e-invite-');

  it('an admin invites in Settings, the link opened in a fresh browser sets a password and signs the member in', async () => {
    const { server, browser, home } = suite;
    const admin = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    admin.setDefaultTimeout(30_000);
    const errors: string[] = [];
    admin.on('pageerror', (e) => errors.push(e.message));
    await admin.goto(server.loginUrl);
    await admin.waitForURL((u) => u.pathname === '/');
    const demo = admin.locator('a.project-name', { hasText: /^demo$/ });
    for (let i = 0; i < 90 && !(await demo.isVisible()); i++) {
      await admin.waitForTimeout(1000);
      await admin.reload();
    }

    // A second team, "vision", with a project of its own; the demo stays in the default team.
    const team = await admin.request.post(new URL('/api/teams', admin.url()).toString(), {
      data: { name: 'vision' },
    });
    expect(team.status(), await team.text()).toBe(201);
    const added = await admin.request.post(new URL('/api/projects', admin.url()).toString(), {
      data: { name: 'vision-demo', source: join(home, 'demo-repo'), team: 'vision' },
    });
    expect(added.status(), await added.text()).toBe(201);
    await admin.goto(new URL('/settings', admin.url()).toString());

    const invites = admin.getByRole('region', { name: 'Invites' });
    await invites.getByLabel('User name').fill('nina');
    await invites.getByLabel('E-mail (optional)').fill('nina@example.org');
    // The team is chosen among those the admin may invite into, not typed.
    await expect
      .poll(() => invites.getByLabel('Team').locator('option').allTextContents(), { timeout: 30_000 })
      .toEqual(['default', 'vision']);
    await expect(invites.getByLabel('Team').inputValue()).resolves.toBe('default');
    await invites.getByLabel('Team').selectOption('vision');
    await invites.getByLabel('Role').selectOption('member');
    await invites.getByRole('button', { name: 'Create invite' }).click();
    const link = (await invites.getByLabel('Invite link').textContent()) ?? '';
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/);
    await invites
      .getByRole('table', { name: 'Pending invites' })
      .getByRole('cell', { name: /nina/ })
      .waitFor();

    // The invitee: a fresh browser context, no cookies of the admin's.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const nina = await context.newPage();
    nina.setDefaultTimeout(30_000);
    nina.on('pageerror', (e) => errors.push(e.message));
    await nina.goto(link);
    const form = nina.getByRole('form', { name: 'Accept invite' });
    await form.getByText('You are invited to team vision as member.').waitFor();
    await nina.screenshot({ path: join(home, 'invite-page.png') });
    await form.getByLabel('Choose a password').fill('short');
    await form.getByText('At least 10 characters.').waitFor();
    await expect(form.getByRole('button', { name: 'Set password and sign in' }).isDisabled()).resolves.toBe(
      true,
    );
    await form.getByLabel('Choose a password').fill('a long enough password');
    await form.getByLabel('Repeat the password').fill('a long enough password');
    await form.getByRole('button', { name: 'Set password and sign in' }).click();
    await nina.waitForURL((u) => u.pathname === '/');
    await nina.locator('.topbar-user', { hasText: 'nina' }).waitFor();
    // A member of team vision sees its project and not the default team's demo, which is not
    // found for her even by its address.
    await nina.locator('a.project-name', { hasText: /^vision-demo$/ }).waitFor();
    await expect(nina.locator('a.project-name').allTextContents()).resolves.toEqual(['vision-demo']);
    await nina.screenshot({ path: join(home, 'invited-member.png'), fullPage: true });
    const hidden = await nina.request.get(new URL('/api/projects/demo', link).toString());
    expect(hidden.status()).toBe(404);

    // The link is used up; the admin's pending list no longer has it.
    const again = await context.newPage();
    await again.goto(link);
    await again.getByText(/invalid, expired, revoked or already used/).waitFor();
    await admin.reload();
    await admin.getByRole('region', { name: 'Invites' }).getByText('No pending invites.').waitFor();

    // Later: signed out, nina signs in with her name and password on the sign-in page.
    await context.clearCookies();
    await nina.goto(new URL('/login', link).toString());
    const signIn = nina.getByRole('form', { name: 'Sign in' });
    await nina.screenshot({ path: join(home, 'sign-in-page.png') });
    await signIn.getByLabel('User name').fill('nina');
    await signIn.getByLabel('Password').fill('wrong password here');
    await signIn.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signIn.getByText('wrong user name or password').waitFor();
    await signIn.getByLabel('Password').fill('a long enough password');
    await signIn.getByRole('button', { name: 'Sign in', exact: true }).click();
    await nina.waitForURL((u) => u.pathname === '/');
    await nina.locator('.topbar-user', { hasText: 'nina' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
