import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from './port.js';
import { suiteRequires } from '../../test/services.js';
import { adapters } from '../../test/store-adapters.js';

/** `store.teams` on both databases: teams, members, per-project roles, people, scoped tokens. */
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

const project = (name: string, teamId?: string) => ({
  name,
  source: '/tmp/x',
  subdir: null,
  credentialsEnc: null,
  settingsJson: '{}',
  fetchState: 'never' as const,
  fetchAt: null,
  fetchError: null,
  createdAt: new Date().toISOString(),
  ...(teamId ? { teamId } : {}),
});

for (const adapter of adapters) {
  describe(`Store conformance, teams: ${adapter.name}`, () => {
    if (adapter.needs) suiteRequires(adapter.needs);
    const open = async () => {
      const s = await adapter.open();
      opened.push(s);
      return s;
    };

    it('failed sign-ins are counted per key in the Store; a second Store on the same database (another server) sees them', async () => {
      const a = await open();
      const b = adapter.reopen ? await adapter.reopen(a) : a;
      if (b !== a) opened.push(b);
      const { SignInLimiter, LOCK_AFTER } = await import('../server/identity/rate-limit.js');
      const one = new SignInLimiter(a.signIns);
      const two = new SignInLimiter(b.signIns);
      for (let i = 0; i < LOCK_AFTER - 1; i++) await (i % 2 ? one : two).failed('Alice', '10.0.0.1');
      expect(await two.lockedFor('alice', '10.0.0.1')).toBe(0);
      await one.failed('alice', '10.0.0.1');
      // Locked on both servers, for that account from that address only.
      expect(await two.lockedFor('alice', '10.0.0.1')).toBeGreaterThan(14 * 60_000);
      expect(await one.lockedFor('alice', '10.0.0.1')).toBeGreaterThan(14 * 60_000);
      expect(await two.lockedFor('alice', '10.0.0.2')).toBe(0);
      expect(await two.lockedFor('bob', '10.0.0.1')).toBe(0);
      // Failures older than the window no longer count.
      const later = new SignInLimiter(b.signIns, () => Date.now() + 16 * 60_000);
      expect(await later.lockedFor('alice', '10.0.0.1')).toBe(0);
      await two.succeeded('alice', '10.0.0.1');
      expect(await one.lockedFor('alice', '10.0.0.1')).toBe(0);
    });

    it('a role in a project is its override, else the role in the owning team; none for others', async () => {
      const s = await open();
      const { user: admin } = await s.ensureAdmin();
      const t = (await s.teams.createTeam({ name: 'ml' }))!;
      expect(await s.teams.createTeam({ name: 'ml' })).toBeNull();
      expect((await s.teams.getTeam('ml'))?.id).toBe(t.id);
      const vera = await s.teams.createUser({ name: 'vera', email: 'vera@example.com' });
      const otto = await s.teams.createUser({ name: 'otto' });
      expect((await s.teams.findUser('vera@example.com'))?.id).toBe(vera.id);
      await s.teams.setMember(t.id, vera.id, 'viewer');
      await s.teams.setMember(t.id, vera.id, 'member');
      await s.createProject(project('p', t.id));
      await s.createProject(project('d'));
      expect(await s.teams.roleIn('p', vera.id)).toEqual({ role: 'member', teamId: t.id, teamName: 'ml' });
      expect(await s.teams.roleIn('p', otto.id)).toBeNull();
      expect(await s.teams.roleIn('nope', vera.id)).toBeNull();
      // The default team holds projects added without a team; the first admin owns it.
      expect((await s.teams.roleIn('d', admin.id))?.role).toBe('owner');
      await s.teams.setProjectRole('p', vera.id, 'maintainer');
      await s.teams.setProjectRole('d', otto.id, 'viewer');
      expect((await s.teams.roleIn('p', vera.id))?.role).toBe('maintainer');
      expect(await s.teams.projectsOf(otto.id)).toEqual(['d']);
      expect(await s.teams.projectsOf(vera.id)).toEqual(['p']);
      await s.teams.setProjectRole('p', vera.id, null);
      expect((await s.teams.roleIn('p', vera.id))?.role).toBe('member');
      expect((await s.teams.members(t.id)).map((m) => `${m.name}:${m.role}`)).toEqual(['vera:member']);
      expect(await s.teams.teamsOf(vera.id)).toEqual([{ id: t.id, name: 'ml', role: 'member' }]);
      expect(await s.teams.deleteTeam(t.id)).toBe(false);
      expect(await s.teams.removeMember(t.id, vera.id)).toBe(true);
      expect(await s.teams.roleIn('p', vera.id)).toBeNull();
    });

    it('tokens keep their scope, projects and expiry; "last used" is written at most once a minute', async () => {
      const s = await open();
      const u = await s.teams.createUser({ name: 'tia' });
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      await s.teams.createToken({
        id: 't1',
        userId: u.id,
        name: 'live',
        tokenHash: 'h1',
        scope: 'live',
        projects: ['p'],
        expiresAt,
      });
      await s.teams.createToken({ id: 't2', userId: u.id, name: 'agent', tokenHash: 'h2', scope: 'agent' });
      const found = await s.teams.findToken('h1');
      expect(found?.token).toMatchObject({ scope: 'live', projects: ['p'], expiresAt });
      expect(found?.user.name).toBe('tia');
      const first = found?.token.lastUsedAt;
      expect(first).toBeTruthy();
      expect((await s.teams.findToken('h1'))?.token.lastUsedAt).toBe(first);
      // Only a person's own tokens are listed, not machines'.
      expect((await s.teams.listTokens(u.id)).map((t) => t.id)).toEqual(['t1']);
      expect(await s.revokeToken('t1', u.id)).toBe(true);
      expect(await s.teams.findToken('h1')).toBeNull();
    });

    it('records who queued a run', async () => {
      const s = await open();
      const u = await s.teams.createUser({ name: 'rob' });
      await s.teams.setRunOwner('e1', u.id);
      await s.teams.setRunOwner('e1', 'someone else');
      expect(await s.teams.runOwner('e1')).toBe(u.id);
      expect(await s.teams.runOwner('e2')).toBeNull();
    });
  });
}
