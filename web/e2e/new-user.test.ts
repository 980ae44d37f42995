import { describe, expect, it } from 'vitest';
import { kilnSuite } from './server.js';
import { watchPage } from './watch.js';

describe('A new user, from the sign-in page on', () => {
  const suite = kilnSuite('kiln-e2e-new-user-');

  it('the sign-in page checks the session quietly: no console error, no failed request', async () => {
    const { server, browser } = suite;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const { problems } = watchPage(page);
    const origin = new URL(server.loginUrl).origin;
    // Straight to the app with no session: it asks who is signed in and shows the sign-in form.
    const asked = page.waitForResponse((r) => r.url() === `${origin}/api/me`);
    await page.goto(`${origin}/`);
    expect((await asked).status()).toBe(200);
    await page.getByRole('form', { name: 'Sign in' }).getByLabel('User name').waitFor();
    // And on /login itself.
    await page.goto(`${origin}/login`);
    await page.getByRole('form', { name: 'Sign in' }).getByLabel('User name').waitFor();
    await page.getByRole('button', { name: 'Sign in with an access token' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
