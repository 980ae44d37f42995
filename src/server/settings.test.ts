import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { Settings } from './settings.js';

const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});
async function fresh(): Promise<{ store: Store; settings: Settings }> {
  const store = await openStore({
    kind: 'sqlite',
    file: path.join(mkdtempSync(path.join(tmpdir(), 'kiln-settings-')), 'kiln.db'),
  });
  stores.push(store);
  return { store, settings: new Settings(store) };
}

describe('instance settings', () => {
  it('reads a stored value, and the fallback when none or a value outside its schema is stored', async () => {
    const { store, settings } = await fresh();
    expect(await settings.get('compute.local.concurrency')).toBe(2);
    await store.setSetting('compute.local.concurrency', '6');
    expect(await settings.get('compute.local.concurrency')).toBe(6);
    // Written by hand or by an older Kiln: never a NaN or a zero that stops the queue.
    for (const bad of ['abc', '0', '2.5', '1000'] as const) {
      await store.setSetting('compute.local.concurrency', bad);
      expect(await settings.get('compute.local.concurrency'), bad).toBe(2);
    }
    await store.setSetting('runs.maxAttempts', '-1');
    expect(await settings.get('runs.maxAttempts')).toBe(3);
  });

  it('refuses to store a value outside its schema, naming the setting, and keeps the old one', async () => {
    const { settings } = await fresh();
    await settings.set('uploads.maxBytes', 5_000_000);
    await expect(settings.set('uploads.maxBytes', 0)).rejects.toThrow(/uploads\.maxBytes/);
    await expect(settings.set('compute.local.concurrency', 65)).rejects.toThrow(
      /compute\.local\.concurrency/,
    );
    expect(await settings.get('uploads.maxBytes')).toBe(5_000_000);
  });

  it('makes a once-only value once: a second maker gets the first value', async () => {
    const { settings } = await fresh();
    expect(await settings.once('compute.install')).toBeNull();
    const first = await settings.makeOnce('compute.install', () => 'aaaaaaaaaaaa');
    const second = await settings.makeOnce('compute.install', () => 'bbbbbbbbbbbb');
    expect([first, second]).toEqual(['aaaaaaaaaaaa', 'aaaaaaaaaaaa']);
  });
});
