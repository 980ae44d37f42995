import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { kilnSuite, openDemoPage } from './server.js';

const suite = kilnSuite('kiln-e2e-launch-retries-');

/** The number in "… next try in 12 s" or "queued · 7s" (seconds; minutes count 60 each). */
async function seconds(l: Locator, re: RegExp): Promise<number> {
  const m = re.exec((await l.textContent()) ?? '');
  if (!m) return Number.NaN;
  return m[2] !== undefined ? Number(m[1]) * 60 + Number(m[2]) : Number(m[1]);
}
const NEXT = /next try in (?:(\d+)m (\d+)s|(\d+) s)$/;
const nextTry = async (l: Locator) => {
  const m = NEXT.exec((await l.textContent()) ?? '');
  if (!m) return Number.NaN;
  return m[3] !== undefined ? Number(m[3]) : Number(m[1]) * 60 + Number(m[2]);
};
const WAITED = /(\d+)(?:m (\d+))?s$/;

describe('a run whose machine cannot be launched', () => {
  it('shows the failed attempt, the next try counting down and a ticking wait, then fails with the reason', async () => {
    const { page, errors } = await openDemoPage(suite);
    const api = (p: string) => new URL(p, page.url()).href;
    // A real SSH target nobody listens on (port 1): every launch is refused.
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const post = async (path: string, data: unknown) => {
      const r = await page.request.post(api(path), { data });
      expect(r.status(), await r.text()).toBe(201);
    };
    await post('/api/compute/credentials', { name: 'k', secret: { kind: 'ssh', privateKey } });
    await post('/api/compute/profiles', {
      name: 'nowhere',
      kind: 'ssh',
      settings: {
        hosts: ['127.0.0.1:1'],
        credential: 'k',
        user: 'root',
        trustAnyHostKey: true,
        launchAttempts: 3,
      },
    });
    await post('/api/projects/demo/experiments', { rev: 'main', name: 'stuck', target: 'nowhere' });

    // The table row: which attempt of 3 failed, why, and the next try counting down; the wait ticks.
    const row = page.locator('.grid .row', { has: page.locator('.exp-name', { hasText: 'stuck' }) });
    const note = row.locator('.launch-note');
    await expect
      .poll(() => note.textContent(), { timeout: 60_000 })
      .toMatch(/^launch attempt [12] of 3 failed: .+ — next try in \d+ s$/);
    const countdown = await nextTry(note);
    await expect.poll(() => nextTry(note), { timeout: 10_000 }).toBeLessThan(countdown);
    const chip = row.locator('.status');
    expect(await chip.textContent()).toMatch(/^queued · \d+s$/);
    const waited = await seconds(chip, WAITED);
    await expect.poll(() => seconds(chip, WAITED), { timeout: 10_000 }).toBeGreaterThan(waited);
    await page.screenshot({ path: join(suite.home, 'launch-retries-row.png') });

    // The experiment page says the same, with the limit, and its "Waited" keeps counting.
    await page.goto(api('/projects/demo/experiments/stuck'));
    const banner = page.locator('.exp-head .launch-note');
    await expect
      .poll(() => banner.textContent(), { timeout: 30_000 })
      .toMatch(/^launch attempt [12] of 3 failed: .+ — next try in \d+ s · Kiln tries 3 times/);
    const fact = page.locator('.exp-fact', { has: page.locator('.exp-fact-label', { hasText: /^Waited$/ }) });
    const value = fact.locator('.exp-fact-value');
    const before = await seconds(value, WAITED);
    await expect.poll(() => seconds(value, WAITED), { timeout: 10_000 }).toBeGreaterThan(before);
    await page.screenshot({ path: join(suite.home, 'launch-retries-page.png') });

    // The third refusal is the profile's limit: the run fails, saying why, and the note goes.
    const status = page.locator('.exp-title .status');
    await expect.poll(() => status.textContent(), { timeout: 90_000 }).toMatch(/^failed/);
    await expect
      .poll(() => page.locator('.exp-head .banner').textContent())
      .toMatch(/no ssh machine could be started for nowhere: gave up after 3 launch attempts/);
    expect(await banner.count()).toBe(0);
    expect(errors).toEqual([]);
  }, 240_000);
});
