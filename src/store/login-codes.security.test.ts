import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import type { KyselyStore } from './kysely-store.js';
import type { Store } from './port.js';
import { postgres, suiteRequires, type Service } from '../../test/services.js';

/**
 * A login code is a password for the admin account: one that was used or has expired must not
 * stay in the database (a copy of kiln.db or a backup would carry it). Both adapters.
 */
const adapters: Array<{ name: string; open: () => Promise<Store>; needs?: Service }> = [
  {
    name: 'sqlite',
    open: () =>
      openStore({
        kind: 'sqlite',
        file: path.join(mkdtempSync(path.join(tmpdir(), 'kiln-codes-')), 'kiln.db'),
      }),
  },
  {
    name: 'postgres',
    needs: postgres,
    open: async () => {
      const url = process.env.KILN_TEST_DATABASE_URL ?? '';
      const schema = `codes_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`create schema ${schema}`);
      await c.end();
      return openStore({ kind: 'postgres', url, schema });
    },
  },
];

const stored = async (s: Store): Promise<string[]> =>
  (
    await (s as KyselyStore).db.selectFrom('login_codes').select('code_hash').orderBy('code_hash').execute()
  ).map((r) => r.code_hash);

for (const adapter of adapters) {
  describe(`login codes are deleted once used or expired: ${adapter.name}`, () => {
    if (adapter.needs) suiteRequires(adapter.needs);
    const opened: Store[] = [];
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    it('a used code is gone at once; expired ones go when the next code is made', async () => {
      const s = await adapter.open();
      opened.push(s);
      const { user } = await s.ensureAdmin();
      const soon = new Date(Date.now() + 60_000).toISOString();
      await s.createLoginCode('used', user.id, soon);
      await s.createLoginCode('unused', user.id, soon);
      await s.createLoginCode('expired', user.id, new Date(Date.now() - 1000).toISOString());
      expect((await s.consumeLoginCode('used', new Date().toISOString()))?.id).toBe(user.id);
      expect(await stored(s)).not.toContain('used');
      expect(await s.consumeLoginCode('used', new Date().toISOString())).toBeNull();

      // Each server start makes a code: that is when the expired ones are swept.
      await s.createLoginCode('next', user.id, soon);
      expect(await stored(s)).toEqual(['next', 'unused']);
      // A lookup of an expired code deletes nothing it should not and finds nothing.
      expect(await s.consumeLoginCode('expired', new Date().toISOString())).toBeNull();
      expect((await s.consumeLoginCode('unused', new Date().toISOString()))?.id).toBe(user.id);
      expect(await stored(s)).toEqual(['next']);
      console.log(
        `[security] login codes kept after 2 uses, 1 expiry and 2 new (${adapter.name}): ${(await stored(s)).length}`,
      );
    });
  });
}
