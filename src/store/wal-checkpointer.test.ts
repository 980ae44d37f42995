import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';

describe('SQLite WAL checkpoints', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-wal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are taken in the background, so the database file alone soon holds what was written', async () => {
    const file = path.join(dir, 'kiln.db');
    const store = await openStore({ kind: 'sqlite', file });
    try {
      await store.setSetting('probe', 'written');
      // A few settings are far below SQLite's own auto-checkpoint threshold (1000 pages): only the
      // background checkpointer copies them out of the WAL.
      let seen: string | undefined;
      for (let i = 0; i < 50 && seen !== 'written'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const copy = path.join(dir, `copy-${i}.db`);
        copyFileSync(file, copy);
        const db = new BetterSqlite3(copy, { readonly: true });
        try {
          const row = db.prepare("select value from settings where key = 'probe'").get();
          seen = (row as { value: string } | undefined)?.value;
        } catch {
          // not even the schema is in the database file yet
        }
        db.close();
      }
      expect(seen).toBe('written');
    } finally {
      await store.close();
    }
    // closing leaves the database whole in one file
    expect(!existsSync(file + '-wal') || statSync(file + '-wal').size === 0).toBe(true);
  });
});
