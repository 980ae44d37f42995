import { afterAll, describe, expect, it } from 'vitest';
import type { AgentPlacement, Store } from './port.js';
import { suiteRequires } from '../../test/services.js';
import { adapters, queueEntry, queueProject } from '../../test/store-adapters.js';

/**
 * The Store's agent tables (tokens of compute agents, run placements, checkpoints, machine
 * targets) on both databases; on PostgreSQL, two Stores on one database race as two servers
 * would, and the database lets exactly one writer win.
 */
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

const at = (target: string, machineId: string | null = null): AgentPlacement => ({
  target,
  kind: 'aws',
  machineId,
  detail: machineId ? `vm ${machineId}` : '',
  zone: machineId ? 'us-east-1a' : null,
  pricePerHour: machineId ? 0.0416 : null,
});
const soon = () => new Date(Date.now() + 60_000).toISOString();

async function adminToken(s: Store, name: string): Promise<string> {
  const { user } = await s.ensureAdmin();
  const id = crypto.randomUUID();
  await s.createToken({ id, userId: user.id, name, tokenHash: `hash-${id}`, scope: 'agent' });
  return id;
}

for (const adapter of adapters) {
  describe(`Store conformance, agent tables: ${adapter.name}`, () => {
    if (adapter.needs) suiteRequires(adapter.needs);
    const open = async () => {
      const s = await adapter.open();
      opened.push(s);
      return s;
    };

    it('places agent tokens; an exchanged token shares its bootstrap token’s placement', async () => {
      const s = await open();
      expect(await s.agents.placementOf('nobody')).toBeNull();
      await s.agents.place('ssh-1', { ...at('box'), kind: 'ssh' });
      await s.agents.place('ssh-1', { ...at('box', 'host-a'), kind: 'ssh' });
      expect(await s.agents.placementOf('ssh-1')).toEqual({ ...at('box', 'host-a'), kind: 'ssh' });
      expect(await s.agents.bootstrap('ssh-1')).toBeNull();

      await s.agents.openBootstrap('boot-1', at('gpu'), soon());
      expect(await s.agents.openBootstraps()).toMatchObject([
        { tokenId: 'boot-1', target: 'gpu', machineId: null, revoked: false, exchangedTo: null },
      ]);
      expect(await s.agents.exchange('boot-1', 'agent-1')).toBe('exchanged');
      // The launch learns its VM after the exchange: the agent token sees it through its bootstrap.
      await s.agents.place('boot-1', at('gpu', 'i-1'));
      expect(await s.agents.placementOf('agent-1')).toEqual(at('gpu', 'i-1'));
      expect(await s.agents.bootstrap('boot-1')).toMatchObject({ exchangedTo: 'agent-1', machineId: 'i-1' });
      // One use only; an unknown token is no bootstrap token.
      expect(await s.agents.exchange('boot-1', 'agent-2')).toBe('refused');
      expect(await s.agents.exchange('ssh-1', 'agent-3')).toBe('unknown');
      expect(await s.agents.placementOf('agent-2')).toBeNull();

      expect(await s.agents.revokeBootstrap('boot-1')).toEqual({ exchangedTo: 'agent-1' });
      expect(await s.agents.openBootstraps()).toEqual([]);
      expect(await s.agents.revokeBootstrap('ssh-1')).toBeNull();
      // Revoked before its exchange: the exchange is refused and names no agent.
      await s.agents.openBootstrap('boot-2', at('gpu'), soon());
      expect(await s.agents.revokeBootstrap('boot-2')).toEqual({ exchangedTo: null });
      expect(await s.agents.exchange('boot-2', 'agent-4')).toBe('refused');
      expect((await s.agents.bootstrap('boot-2'))?.exchangedTo).toBeNull();
    });

    it('counts failed launches per target, replaced on each failure and cleared when one works', async () => {
      const s = await open();
      expect(await s.agents.launchAttempts('gpu')).toBeNull();
      const first = {
        target: 'gpu',
        attempts: 1,
        firstAt: '2026-01-01T00:00:00.000Z',
        nextAt: '2026-01-01T00:00:15.000Z',
        lastError: 'no capacity',
      };
      await s.agents.putLaunchAttempts(first);
      await s.agents.putLaunchAttempts({
        ...first,
        attempts: 2,
        nextAt: '2026-01-01T00:00:45.000Z',
        lastError: 'quota',
      });
      await s.agents.putLaunchAttempts({ ...first, target: 'ssh-box' });
      expect(await s.agents.launchAttempts('gpu')).toEqual({
        ...first,
        attempts: 2,
        nextAt: '2026-01-01T00:00:45.000Z',
        lastError: 'quota',
      });
      expect((await s.agents.allLaunchAttempts()).map((r) => r.target)).toEqual(['gpu', 'ssh-box']);
      await s.agents.clearLaunchAttempts('gpu');
      expect(await s.agents.launchAttempts('gpu')).toBeNull();
      expect(await s.agents.allLaunchAttempts()).toEqual([{ ...first, target: 'ssh-box' }]);
    });

    it('keeps run placements and checkpoints per experiment, gone with the experiment', async () => {
      const s = await open();
      const now = new Date().toISOString();
      await s.createProject(queueProject(now));
      await s.experiments.insert([queueEntry(now, 'a', 'local', 'running', 0, 1)]);
      expect(await s.agents.runPlacement('e-a')).toBeNull();
      await s.agents.putRunPlacement({ experimentId: 'e-a', tokenId: 't1', hostname: 'h1', startedAt: now });
      await s.agents.putRunPlacement({ experimentId: 'e-a', tokenId: null, hostname: 'h2', startedAt: now });
      expect(await s.agents.runPlacement('e-a')).toEqual({
        experimentId: 'e-a',
        tokenId: null,
        hostname: 'h2',
        startedAt: now,
      });
      expect(await s.agents.checkpoint('e-a')).toBeNull();
      await s.agents.putCheckpoint('e-a', 'a'.repeat(40));
      await s.agents.putCheckpoint('e-a', 'b'.repeat(40));
      expect(await s.agents.checkpoint('e-a')).toBe('b'.repeat(40));
      expect(await s.deleteProject('q')).toBe(true);
      expect(await s.agents.runPlacement('e-a')).toBeNull();
      expect(await s.agents.checkpoint('e-a')).toBeNull();
    });

    it('prunes checkpoints of finished runs and records of dead tokens no run names', async () => {
      const s = await open();
      const now = new Date().toISOString();
      await s.createProject(queueProject(now));
      await s.experiments.insert([
        queueEntry(now, 'done', 'gpu', 'succeeded', 0, 1),
        queueEntry(now, 'again', 'gpu', 'queued', 0, 2),
      ]);
      await s.agents.putCheckpoint('e-done', 'a'.repeat(40));
      await s.agents.putCheckpoint('e-again', 'b'.repeat(40));
      const { user } = await s.ensureAdmin();
      const live = await adminToken(s, 'live');
      const dead = await adminToken(s, 'dead');
      const ran = await adminToken(s, 'ran');
      const boot = await adminToken(s, 'boot');
      const agent = await adminToken(s, 'agent');
      for (const t of [live, dead, ran]) await s.agents.place(t, at('gpu', t));
      await s.agents.openBootstrap(boot, at('gpu', 'vm'), soon());
      expect(await s.agents.exchange(boot, agent)).toBe('exchanged');
      await s.agents.putRunPlacement({ experimentId: 'e-done', tokenId: ran, hostname: 'h', startedAt: now });
      await s.agents.putRunPlacement({
        experimentId: 'e-again',
        tokenId: agent,
        hostname: 'h',
        startedAt: now,
      });
      for (const t of [dead, ran, boot, agent]) await s.revokeToken(t, user.id);

      // The checkpoint of the finished run and the dead token no run names.
      expect(await s.agents.prune()).toBe(2);
      expect(await s.agents.checkpoint('e-done')).toBeNull();
      expect(await s.agents.checkpoint('e-again')).toBe('b'.repeat(40));
      expect(await s.agents.placementOf(dead)).toBeNull();
      for (const t of [live, ran, agent]) expect(await s.agents.placementOf(t)).not.toBeNull();
      expect(await s.agents.bootstrap(boot)).not.toBeNull();
      // The runs go: so do the records that only they kept.
      expect(await s.deleteProject('q')).toBe(true);
      expect(await s.agents.prune()).toBe(3);
      expect(await s.agents.placementOf(live)).not.toBeNull();
      expect(await s.agents.placementOf(agent)).toBeNull();
    });

    it('remembers machine targets with their settings; a forget of a stale version keeps them', async () => {
      const s = await open();
      const first = await s.agents.rememberMachineTarget({
        name: 'gpu~ab12',
        kind: 'aws',
        settings: { region: 'us-east-1', gpu: { count: 1 } },
        profile: 'gpu',
      });
      expect(await s.agents.machineTargets()).toEqual([first]);
      expect(first.settings).toEqual({ region: 'us-east-1', gpu: { count: 1 } });
      const again = await s.agents.rememberMachineTarget({
        name: 'gpu~ab12',
        kind: 'aws',
        settings: {},
        profile: 'gpu',
      });
      expect(again.version).not.toBe(first.version);
      expect(await s.agents.forgetMachineTarget('gpu~ab12', first.version)).toBe(false);
      expect((await s.agents.machineTargets()).map((m) => m.name)).toEqual(['gpu~ab12']);
      expect(await s.agents.forgetMachineTarget('gpu~ab12', again.version)).toBe(true);
      expect(await s.agents.machineTargets()).toEqual([]);
    });

    if (!adapter.reopen) return;
    const reopen = adapter.reopen;
    /** Two Stores on one database: two servers. */
    const pair = async (): Promise<[Store, Store]> => {
      const a = await open();
      const b = await reopen(a);
      opened.push(b);
      return [a, b];
    };

    it('two servers racing to claim: every job is claimed exactly once', async () => {
      const [a, b] = await pair();
      const now = new Date().toISOString();
      await a.createProject(queueProject(now));
      const n = 12;
      await a.experiments.insert(
        Array.from({ length: n }, (_, i) => queueEntry(now, `r${i}`, 'local', 'queued', 0, i)),
      );
      const lease = new Date(Date.now() + 60_000).toISOString();
      const won: string[] = [];
      // Rounds of concurrent claims until the queue is empty: a claim that lost every race may
      // come back empty-handed (its agent asks again), but no job may go to two agents.
      for (let round = 0; round < 10 && won.length < n; round++) {
        const claims = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            (i % 2 ? a : b).experiments.claim('local', `agent-${i}`, lease),
          ),
        );
        for (const c of claims) if (c) won.push(c.job.id);
      }
      expect(won).toHaveLength(n);
      expect(new Set(won).size).toBe(n);
      expect(await b.experiments.claimedCount('local')).toBe(n);
    });

    it('two servers racing on one machine record: one remember wins, one forget wins', async () => {
      const [a, b] = await pair();
      const rec = { name: 'gpu', kind: 'aws' as const, settings: {}, profile: null };
      const both = await Promise.all([
        a.agents.rememberMachineTarget(rec),
        b.agents.rememberMachineTarget(rec),
      ]);
      const [row] = await a.agents.machineTargets();
      expect(await b.agents.machineTargets()).toHaveLength(1);
      expect(both.map((m) => m.version)).toContain(row?.version);
      // A's reconciler read the row; B's launch remembers the target again before A forgets it.
      const seen = row?.version ?? '';
      const fresh = await b.agents.rememberMachineTarget(rec);
      expect(await a.agents.forgetMachineTarget('gpu', seen)).toBe(false);
      const forgets = await Promise.all([
        a.agents.forgetMachineTarget('gpu', fresh.version),
        b.agents.forgetMachineTarget('gpu', fresh.version),
      ]);
      expect(forgets.filter(Boolean)).toHaveLength(1);
      expect(await a.agents.machineTargets()).toEqual([]);
    });

    it("two servers deciding launches for one profile: one decision at a time, so the profile's cap holds", async () => {
      const [a, b] = await pair();
      const max = 2;
      const launched: string[] = [];
      // Each decision counts the machines, asks the cloud (a wait), then launches if under the cap.
      const decide = (s: Store, who: string) =>
        s.exclusive('compute.launch.gpu', async () => {
          const have = launched.length;
          await new Promise((r) => setTimeout(r, 20));
          if (have < max) launched.push(who);
        });
      await Promise.all(Array.from({ length: 8 }, (_, i) => decide(i % 2 ? a : b, `d${i}`)));
      expect(launched).toHaveLength(max);
      // A decision that failed lets the next one through.
      await expect(
        a.exclusive('compute.launch.gpu', () => Promise.reject(new Error('cloud said no'))),
      ).rejects.toThrow('cloud said no');
      expect(await b.exclusive('compute.launch.gpu', async () => 'next')).toBe('next');
    });

    it('two servers racing on a bootstrap token: one exchange wins; an exchange and a revoke never both miss', async () => {
      const [a, b] = await pair();
      await a.agents.openBootstrap('boot', at('gpu'), soon());
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).agents.exchange('boot', `agent-${i}`)),
      );
      expect(outcomes.filter((o) => o === 'exchanged')).toHaveLength(1);
      for (let i = 0; i < 20; i++) {
        await a.agents.openBootstrap(`b${i}`, at('gpu'), soon());
        const [ex, rv] = await Promise.all([
          a.agents.exchange(`b${i}`, `agent-b${i}`),
          b.agents.revokeBootstrap(`b${i}`),
        ]);
        // Either the revocation saw the exchange (and revokes its agent token) or the exchange failed.
        if (ex === 'exchanged') expect(rv).toEqual({ exchangedTo: `agent-b${i}` });
        else expect(rv).toEqual({ exchangedTo: null });
      }
    });
  });
}
