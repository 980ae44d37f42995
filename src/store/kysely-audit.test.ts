import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import type { Store } from './port.js';
import type { AuditEventRecord } from './kysely-audit.js';
import { postgres, suiteRequires, type Service } from '../../test/services.js';

/**
 * Store conformance for the audit trail and device-login codes, on SQLite and PostgreSQL alike
 * (kept beside store.test.ts so parallel work on the Store does not collide in one file).
 */
const pgUrl = process.env.KILN_TEST_DATABASE_URL;
const adapters: Array<{ name: string; open: () => Promise<Store>; needs?: Service }> = [
  {
    name: 'sqlite',
    open: () =>
      openStore({ kind: 'sqlite', file: path.join(mkdtempSync(path.join(tmpdir(), 'kiln-audit-')), 'k.db') }),
  },
  {
    name: 'postgres',
    needs: postgres,
    open: async () => {
      const schema = `a_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
      const c = new pg.Client({ connectionString: pgUrl ?? '' });
      await c.connect();
      await c.query(`create schema ${schema}`);
      await c.end();
      return openStore({ kind: 'postgres', url: pgUrl ?? '', schema });
    },
  },
];

const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

const event = (i: number, over: Partial<AuditEventRecord> = {}): AuditEventRecord => ({
  id: `e${String(i).padStart(3, '0')}`,
  // Pairs of events share a millisecond: the id orders them.
  at: new Date(Date.UTC(2026, 11, 1, 0, 0, Math.floor(i / 2))).toISOString(),
  actorId: 'u1',
  actorName: i % 3 === 0 ? 'bob' : 'alice',
  actorKind: 'token',
  ip: '10.0.0.1',
  action: i % 2 === 0 ? 'run.queued' : 'token.created',
  project: i % 4 === 0 ? 'p' : 'q',
  target: null,
  outcome: 'ok',
  detail: { n: i },
  ...over,
});

for (const adapter of adapters) {
  describe(`Store conformance (audit, device codes): ${adapter.name}`, () => {
    if (adapter.needs) suiteRequires(adapter.needs);
    const open = async () => {
      const s = await adapter.open();
      opened.push(s);
      return s;
    };

    it('audit events page newest first by cursor, with no gap or repeat, and filter', async () => {
      const s = await open();
      for (let i = 0; i < 25; i++) await s.audit.record(event(i));
      const ids: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await s.audit.list({ limit: 4, ...(cursor ? { cursor } : {}) });
        ids.push(...page.events.map((e) => e.id));
        // An event recorded meanwhile (newer) never shows up in a later page.
        await s.audit.record(event(100 + ids.length, { at: new Date().toISOString() }));
        if (!page.next) break;
        cursor = page.next;
      }
      expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => event(24 - i).id));

      const bobs = await s.audit.list({ actor: 'bob', limit: 500, until: '2026-12-02T00:00:00.000Z' });
      expect(bobs.events.map((e) => e.id)).toEqual(
        Array.from({ length: 25 }, (_, i) => i)
          .filter((i) => i % 3 === 0)
          .reverse()
          .map((i) => event(i).id),
      );
      const family = await s.audit.list({ action: 'token.', project: 'q', limit: 500, until: '2026-12-02' });
      expect(family.events.every((e) => e.action === 'token.created' && e.project === 'q')).toBe(true);
      expect(family.events).toHaveLength(12);
      const window = await s.audit.list({
        since: event(10).at,
        until: event(14).at,
        projects: ['p', 'q'],
        limit: 500,
      });
      expect(window.events.map((e) => e.id)).toEqual(['e013', 'e012', 'e011', 'e010']);
      expect((await s.audit.list({ projects: [] })).events).toEqual([]);
      expect(window.events[0]).toMatchObject({ ip: '10.0.0.1', detail: { n: 13 }, actorKind: 'token' });
    });

    it('a team owner owns the team projects, unless a project override says otherwise', async () => {
      const s = await open();
      const { user } = await s.ensureAdmin();
      const base = {
        source: '/x',
        subdir: null,
        credentialsEnc: null,
        settingsJson: '{}',
        fetchState: 'never' as const,
        fetchAt: null,
        fetchError: null,
        createdAt: new Date().toISOString(),
      };
      await s.createProject({ ...base, name: 'a' });
      await s.createProject({ ...base, name: 'b' });
      expect(await s.audit.projectsOwnedBy(user.id)).toEqual(['a', 'b']);
      await sql`insert into project_members (project, user_id, role, created_at)
                values ('b', ${user.id}, 'member', ${base.createdAt})`.execute(
        (s as unknown as { db: Kysely<unknown> }).db,
      );
      expect(await s.audit.projectsOwnedBy(user.id)).toEqual(['a']);
      expect(await s.audit.projectsOwnedBy('nobody')).toEqual([]);
    });

    it('device codes: approve or deny once while pending, hand out an approval exactly once, expire', async () => {
      const s = await open();
      const { user } = await s.ensureAdmin();
      const now = Date.now();
      const at = (ms: number) => new Date(now + ms).toISOString();
      const code = (h: string, u: string, expiresIn: number) => ({
        deviceCodeHash: h,
        userCode: u,
        clientName: 'dvc',
        tokenName: 't',
        scopes: ['EXPERIMENTS'],
        createdAt: at(0),
        expiresAt: at(expiresIn),
      });
      await s.deviceCodes.create(code('h1', 'AAAA-BBBB', 60_000));
      await s.deviceCodes.create(code('h2', 'CCCC-DDDD', 60_000));
      await s.deviceCodes.create(code('h3', 'EEEE-FFFF', -1));

      expect(await s.deviceCodes.takeApproved('h1')).toBeNull();
      const polled = await s.deviceCodes.poll('h1', at(1));
      expect(polled).toMatchObject({ userCode: 'AAAA-BBBB', scopes: ['EXPERIMENTS'], lastPollAt: null });
      expect((await s.deviceCodes.poll('h1', at(2)))?.lastPollAt).toBe(at(1));
      expect(await s.deviceCodes.poll('nope', at(2))).toBeNull();

      expect(await s.deviceCodes.approve('AAAA-BBBB', user.id, at(3))).toBe(true);
      expect(await s.deviceCodes.deny('AAAA-BBBB', at(4))).toBe(false);
      expect(await s.deviceCodes.deny('CCCC-DDDD', at(4))).toBe(true);
      expect(await s.deviceCodes.approve('CCCC-DDDD', user.id, at(5))).toBe(false);
      // Expired: cannot be approved.
      expect(await s.deviceCodes.approve('EEEE-FFFF', user.id, at(5))).toBe(false);

      const [one, two] = await Promise.all([
        s.deviceCodes.takeApproved('h1'),
        s.deviceCodes.takeApproved('h1'),
      ]);
      expect([one, two].filter(Boolean)).toHaveLength(1);
      expect((one ?? two)?.approvedBy).toBe(user.id);
      expect(await s.deviceCodes.byUserCode('AAAA-BBBB')).toBeNull();
      expect((await s.deviceCodes.byUserCode('CCCC-DDDD'))?.deniedAt).toBe(at(4));

      expect(await s.deviceCodes.sweep(at(10))).toBe(1);
      expect(await s.deviceCodes.byUserCode('EEEE-FFFF')).toBeNull();
      await s.deviceCodes.remove('h2');
      expect(await s.deviceCodes.byUserCode('CCCC-DDDD')).toBeNull();
    });
  });
}
