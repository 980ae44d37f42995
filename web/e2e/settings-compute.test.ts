import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kilnSuite, signedInPage } from './server.js';

describe('Settings: credentials then compute profiles in one page visit', () => {
  const suite = kilnSuite('kiln-e2e-settings-');

  it('offers a credential added a moment ago and says what is wrong at the field', async () => {
    const { server, browser, home } = suite;
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.loginUrl);
    await page.waitForURL((u) => u.pathname === '/');
    await page.goto(new URL('/settings', page.url()).toString());

    // An AWS credential, added first.
    const creds = page.getByRole('form', { name: 'Add a credential' });
    await creds.getByLabel('Name').fill('aws-main');
    await creds.getByLabel('Access key ID').fill('AKIAEXAMPLE0000000000');
    await creds.getByLabel('Secret access key').fill('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    await creds.getByRole('button', { name: 'Save credential' }).click();
    await page.getByRole('cell', { name: 'aws-main', exact: true }).waitFor();

    // Then a profile, in the same visit: Add without a credential says so at the Credential field.
    const form = page.getByRole('form', { name: 'Add a compute profile' });
    await form.getByLabel('Name').fill('gpu-spot');
    const disk = form.getByLabel('Disk (GB)');
    await disk.fill('4');
    await form.getByRole('button', { name: 'Add profile' }).click();
    const credential = form.getByLabel('Credential');
    await expect(credential.getAttribute('aria-invalid')).resolves.toBe('true');
    const message = form.locator('#profile-error-credential');
    await expect(message.textContent()).resolves.toBe('Choose the AWS credential this profile uses.');
    await page.screenshot({ path: join(home, 'profile-field-error.png'), fullPage: true });

    // The credential added above is offered without a reload.
    await expect(credential.locator('option').allTextContents()).resolves.toContain('aws-main');
    await credential.selectOption('aws-main');
    await expect(message.count()).resolves.toBe(0);

    // The server's check (disk at least 8 GB) shows at the Disk field, in words, not as a schema message.
    await form.getByRole('button', { name: 'Add profile' }).click();
    await expect
      .poll(() => form.locator('#profile-error-diskGb').textContent())
      .toBe('Disk (GB) must be at least 8.');
    await expect(disk.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByText(/Invalid input|expected \w+, received/).count()).resolves.toBe(0);

    await disk.fill('100');
    await form.getByRole('button', { name: 'Add profile' }).click();
    await page.getByRole('cell', { name: 'gpu-spot', exact: true }).waitFor();
    await expect(form.locator('.wz-error').count()).resolves.toBe(0);

    // Removing the profile, then its credential, updates the profile form's list too.
    page.on('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove profile gpu-spot' }).click();
    await page.getByRole('cell', { name: 'gpu-spot', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Remove credential aws-main' }).click();
    await expect.poll(() => credential.locator('option').allTextContents()).not.toContain('aws-main');
    await page.screenshot({ path: join(home, 'profiles-after.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);

  it('runs on this server are the target local with one cap set here: no local profile can be made', async () => {
    const { server, home } = suite;
    // The login link was used by the test above: sign in with an admin token.
    const page = await signedInPage(suite);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL('/settings', server.loginUrl).toString());

    // The profile form offers remote kinds only.
    const form = page.getByRole('form', { name: 'Add a compute profile' });
    const kinds = await form.getByLabel('Kind').locator('option').allTextContents();
    expect(kinds).toContain('ssh');
    expect(kinds).not.toContain('local');
    // The API says why, in words that point to the setting that exists.
    const refused = await page.request.post(new URL('/api/compute/profiles', page.url()).toString(), {
      data: { name: 'here', kind: 'local', settings: { concurrency: 1 } },
    });
    expect(refused.status()).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toContain(
      'runs on this server need no profile: choose the target "local" in the Run form',
    );

    // How many local runs go at once is set here, and kept.
    const local = page.getByRole('group', { name: 'Runs on this server' });
    const atOnce = local.getByLabel('Runs at once (target local)');
    await expect.poll(() => atOnce.inputValue(), { timeout: 30_000 }).toBe('2');
    await atOnce.fill('3');
    await local.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => local.getByRole('button', { name: 'Save' }).isDisabled(), { timeout: 30_000 })
      .toBe(true);
    await page.reload();
    await expect
      .poll(() => page.getByLabel('Runs at once (target local)').inputValue(), { timeout: 30_000 })
      .toBe('3');
    const got = await page.request.get(new URL('/api/compute/local', page.url()).toString());
    expect(((await got.json()) as { concurrency: number }).concurrency).toBe(3);
    await page.screenshot({ path: join(home, 'local-runs.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
