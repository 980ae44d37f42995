import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateTo } from './migrations.js';
import { openStore } from './open-store.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-teams-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('upgrading a single-admin install to teams', () => {
  it('puts the admin as owner and every existing project into the default team', async () => {
    const file = path.join(dir, 'old.db');
    // An install as it was before teams: migrated to 006, one admin, one other user, two projects.
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    await migrateTo(old, '006-queue-indexes');
    const at = '2026-01-01T00:00:00.000Z';
    await sql`insert into users (id, name, role, created_at) values ('u-admin', 'admin', 'admin', ${at}), ('u-ann', 'ann', 'user', ${at})`.execute(
      old,
    );
    for (const name of ['mnist', 'cifar'])
      await sql`insert into projects (name, source, subdir, credentials_enc, settings_json, fetch_state, created_at)
                values (${name}, '/src', null, null, '{}', 'ok', ${at})`.execute(old);
    await old.destroy();

    const store = await openStore({ kind: 'sqlite', file });
    try {
      const db = (store as unknown as { db: Kysely<unknown> }).db;
      const members = await sql<{ user_id: string; role: string; team_id: string }>`
        select user_id, role, team_id from team_members order by user_id`.execute(db);
      expect(members.rows).toEqual([
        { user_id: 'u-admin', role: 'owner', team_id: 'default' },
        { user_id: 'u-ann', role: 'member', team_id: 'default' },
      ]);
      expect((await store.getProject('mnist'))?.teamId).toBe('default');
      expect((await store.getProject('cifar'))?.teamId).toBe('default');
      // The admin is kept, not recreated.
      expect((await store.ensureAdmin()).created).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('makes the first admin of a fresh install the owner of the default team', async () => {
    const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'fresh.db') });
    try {
      const { user, created } = await store.ensureAdmin();
      expect(created).toBe(true);
      const db = (store as unknown as { db: Kysely<unknown> }).db;
      const members = await sql<{ user_id: string; role: string }>`
        select user_id, role from team_members where team_id = 'default'`.execute(db);
      expect(members.rows).toEqual([{ user_id: user.id, role: 'owner' }]);
    } finally {
      await store.close();
    }
  });
});
