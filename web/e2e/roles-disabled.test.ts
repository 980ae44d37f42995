import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kilnCli, kilnSuite, openDemo, signedInPage } from './server.js';
import { watchPage } from './watch.js';

describe('What a role cannot do is shown disabled with the reason', () => {
  const suite = kilnSuite('kiln-e2e-role-actions-');

  it("a viewer's project settings: read only, no webhook secret asked for, Remove disabled, and why", async () => {
    const { server, home } = suite;
    const origin = new URL(server.loginUrl).origin;
    // The demo is made after start: wait for it as the admin.
    const admin = await signedInPage(suite);
    await openDemo(admin, `${origin}/`);
    await kilnCli(['admin', 'user', 'vera', '--home', home, '--team', 'default', '--role', 'viewer']);

    const vera = await signedInPage(suite, 'vera');
    const { problems } = watchPage(vera);
    await vera.goto(`${origin}/projects/demo/settings`);
    const form = vera.getByRole('form', { name: 'Project settings' });
    const settingsReason = "viewers cannot change this project's settings — ask a maintainer of team default";
    await form.getByRole('note').filter({ hasText: settingsReason }).waitFor();
    const save = form.getByRole('button', { name: 'Save' });
    expect(await save.isDisabled()).toBe(true);
    expect(await save.getAttribute('title')).toBe(settingsReason);
    expect(await form.getByLabel('Subdirectory (monorepo)').isDisabled()).toBe(true);
    await vera
      .getByRole('region', { name: 'Webhook' })
      .getByRole('note')
      .filter({ hasText: settingsReason })
      .waitFor();

    const remove = vera.getByRole('button', { name: 'Remove demo' });
    const removeReason =
      "viewers cannot manage this project's members or delete it — ask an owner of team default";
    expect(await remove.isDisabled()).toBe(true);
    expect(await remove.getAttribute('title')).toBe(removeReason);
    await vera.getByRole('note').filter({ hasText: removeReason }).waitFor();
    await vera.screenshot({ path: join(home, 'viewer-project-settings.png'), fullPage: true });
    // Nothing was tried and refused on the way (no 403 for the webhook secret).
    expect(problems).toEqual([]);
  }, 240_000);

  it('a member who is no instance admin opens Settings: admin-only parts say who sets them up, nothing is refused', async () => {
    const { server, home } = suite;
    const origin = new URL(server.loginUrl).origin;
    await kilnCli(['admin', 'user', 'mo', '--home', home, '--team', 'default', '--role', 'member']);
    const mo = await signedInPage(suite, 'mo');
    const { problems } = watchPage(mo);
    await mo.goto(`${origin}/settings`);
    for (const title of ['Sign-in providers', 'Compute credentials'])
      await mo
        .getByRole('region', { name: title })
        .getByText('Set up by an instance admin: only an instance admin can change this')
        .waitFor();
    const profiles = mo.getByRole('region', { name: 'Compute profiles' });
    await profiles
      .getByText('Adding or removing a compute profile: only an instance admin can change this')
      .waitFor();
    expect(await profiles.getByRole('form', { name: 'Add a compute profile' }).count()).toBe(0);
    // Let every section's requests finish before judging them.
    await mo.waitForLoadState('networkidle');
    await mo.screenshot({ path: join(home, 'member-settings.png'), fullPage: true });
    // No section asked for what only an admin may read (a 403 in the console before).
    expect(problems).toEqual([]);
  }, 240_000);
});
