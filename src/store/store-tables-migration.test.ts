import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateTo } from './migrations.js';
import { openStore } from './open-store.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-008-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * An install from before 008 kept agent tokens, run placements, checkpoints and the machine map
 * as settings rows. Upgrading moves each into its table, where the Store reads it, and drops the
 * rows (a placement or checkpoint of a run that no longer exists is dropped, not moved).
 */
describe('upgrading an install whose agent state lived in settings rows (008)', () => {
  it('moves tokens, placements, checkpoints and machines into their tables and drops the rows', async () => {
    const file = path.join(dir, 'old.db');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    await migrateTo(old, '007-teams');
    const at = '2026-01-01T00:00:00.000Z';
    await sql`insert into projects (name, source, subdir, credentials_enc, settings_json, fetch_state, created_at)
              values ('p', '/src', null, null, '{}', 'ok', ${at})`.execute(old);
    await sql`insert into experiments (id, project, name, baseline, message, change_set_json, target, timeout_sec,
                priority, queue_order, status, timeline_json, created_at)
              values ('e-1', 'p', 'exp-1', ${'a'.repeat(40)}, '', '{}', 'gpu', 60, 0, 1, 'running', '[]', ${at})`.execute(
      old,
    );
    const legacy: Record<string, string> = {
      'runs.checkpoint.e-1': 'c'.repeat(40),
      'runs.checkpoint.e-gone': 'd'.repeat(40),
      'compute.run.e-1': JSON.stringify({ tokenId: 'tok-agent', hostname: 'vm-1.internal', startedAt: at }),
      'compute.run.e-gone': JSON.stringify({ tokenId: 'x', hostname: 'y', startedAt: at }),
      'compute.agent.tok-boot': JSON.stringify({
        target: 'gpu',
        kind: 'aws',
        id: 'i-0abc',
        detail: 'instance i-0abc',
        zone: 'us-east-1a',
        pricePerHour: 0.526,
      }),
      'compute.bootstrap.tok-boot': '2026-01-01T00:30:00.000Z',
      'compute.exchanged.tok-boot': 'tok-agent',
      'compute.agent.tok-agent': JSON.stringify({ via: 'tok-boot' }),
      'compute.machines': JSON.stringify({
        gpu: { kind: 'aws', settings: { region: 'us-east-1' }, profile: null },
      }),
      'unrelated.setting': 'kept',
    };
    for (const [key, value] of Object.entries(legacy))
      await sql`insert into settings (key, value) values (${key}, ${value})`.execute(old);
    await old.destroy();

    const store = await openStore({ kind: 'sqlite', file });
    try {
      expect(await store.agents.checkpoint('e-1')).toBe('c'.repeat(40));
      expect(await store.agents.runPlacement('e-1')).toEqual({
        experimentId: 'e-1',
        tokenId: 'tok-agent',
        hostname: 'vm-1.internal',
        startedAt: at,
      });
      // The agent token that came through a bootstrap token carries that VM's placement.
      const placed = {
        target: 'gpu',
        kind: 'aws',
        machineId: 'i-0abc',
        detail: 'instance i-0abc',
        zone: 'us-east-1a',
        pricePerHour: 0.526,
      };
      expect(await store.agents.placementOf('tok-agent')).toEqual(placed);
      expect(await store.agents.placementOf('tok-boot')).toEqual(placed);
      expect(await store.agents.bootstrap('tok-boot')).toMatchObject({
        until: '2026-01-01T00:30:00.000Z',
        revoked: false,
        exchangedTo: 'tok-agent',
      });
      expect((await store.agents.machineTargets()).map((m) => [m.name, m.kind, m.settings])).toEqual([
        ['gpu', 'aws', { region: 'us-east-1' }],
      ]);
      for (const key of Object.keys(legacy).filter((k) => k !== 'unrelated.setting'))
        expect(await store.getSetting(key), key).toBeNull();
      expect(await store.getSetting('unrelated.setting')).toBe('kept');
    } finally {
      await store.close();
    }
  });
});
