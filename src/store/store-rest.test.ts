import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComputeInstanceRecord, Store } from './port.js';
import { suiteRequires } from '../../test/services.js';
import { adapters, queueEntry, queueProject } from '../../test/store-adapters.js';

/**
 * The Store conformance cases for what the other suites do not call: compute credentials,
 * profiles and instances, the queue's read-outs, people and teams' own records, and the clean-up
 * methods a project's deletion relies on. Each on both databases.
 */
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

const instance = (id: string, profile: string, experimentId: string | null): ComputeInstanceRecord => ({
  id,
  profile,
  kind: 'aws',
  nativeId: null,
  zone: null,
  experimentId,
  state: 'launching',
  detailJson: '{}',
  createdAt: new Date().toISOString(),
  endedAt: null,
});

for (const adapter of adapters) {
  describe(`Store conformance, the rest of the port: ${adapter.name}`, () => {
    if (adapter.needs) suiteRequires(adapter.needs);
    const open = async () => {
      const s = await adapter.open();
      opened.push(s);
      return s;
    };

    it('keeps credentials by name: put replaces, list is sorted, delete says whether it removed one', async () => {
      const s = await open();
      const now = new Date().toISOString();
      const cred = {
        name: 'b-aws',
        kind: 'aws',
        secretEnc: 'sealed-1',
        summary: 'key …1',
        createdAt: now,
        updatedAt: now,
      };
      await s.compute.putCredential(cred);
      await s.compute.putCredential({ ...cred, name: 'a-ssh', kind: 'ssh' });
      await s.compute.putCredential({ ...cred, secretEnc: 'sealed-2', summary: 'key …2' });
      expect(await s.compute.getCredential('b-aws')).toMatchObject({
        secretEnc: 'sealed-2',
        summary: 'key …2',
      });
      expect((await s.compute.listCredentials()).map((c) => c.name)).toEqual(['a-ssh', 'b-aws']);
      expect(await s.compute.deleteCredential('b-aws')).toBe(true);
      expect(await s.compute.deleteCredential('b-aws')).toBe(false);
      expect(await s.compute.getCredential('b-aws')).toBeNull();
    });

    it('creates a profile once: a taken name is refused, not overwritten', async () => {
      const s = await open();
      const now = new Date().toISOString();
      expect(
        await s.compute.createProfile({ name: 'gpu', kind: 'aws', settingsJson: '{"a":1}', createdAt: now }),
      ).toBe(true);
      expect(
        await s.compute.createProfile({ name: 'gpu', kind: 'ssh', settingsJson: '{"a":2}', createdAt: now }),
      ).toBe(false);
      expect(await s.compute.getProfile('gpu')).toMatchObject({ kind: 'aws', settingsJson: '{"a":1}' });
      await s.compute.createProfile({ name: 'cpu', kind: 'slurm', settingsJson: '{}', createdAt: now });
      expect((await s.compute.listProfiles()).map((p) => p.name).sort()).toEqual(['cpu', 'gpu']);
      expect(await s.compute.deleteProfile('gpu')).toBe(true);
      expect(await s.compute.deleteProfile('gpu')).toBe(false);
      expect(await s.compute.getProfile('gpu')).toBeNull();
    });

    it("lists a profile's open instances and a run's instances; an ended one is no longer open", async () => {
      const s = await open();
      await s.compute.putInstance(instance('i-1', 'gpu', 'e-1'));
      await s.compute.putInstance(instance('i-2', 'gpu', null));
      await s.compute.putInstance(instance('i-3', 'cpu', 'e-1'));
      expect((await s.compute.openInstances('gpu')).map((i) => i.id).sort()).toEqual(['i-1', 'i-2']);
      expect((await s.compute.openInstances()).length).toBe(3);
      await s.compute.updateInstance('i-1', {
        state: 'ended',
        endedAt: new Date().toISOString(),
        nativeId: 'vm-9',
      });
      expect((await s.compute.openInstances('gpu')).map((i) => i.id)).toEqual(['i-2']);
      const forRun = await s.compute.instancesFor('e-1');
      expect(forRun.map((i) => i.id).sort()).toEqual(['i-1', 'i-3']);
      expect(forRun.find((i) => i.id === 'i-1')).toMatchObject({ state: 'ended', nativeId: 'vm-9' });
    });

    it("reads the queue back: a run's job, the jobs agents hold, active runs per project", async () => {
      const s = await open();
      const now = new Date().toISOString();
      await s.createProject(queueProject(now));
      const a = queueEntry(now, 'a', 'local', 'queued', 0, 1);
      const b = queueEntry(now, 'b', 'local', 'queued', 0, 2);
      const done = queueEntry(now, 'c', 'local', 'succeeded', 0, 3);
      await s.experiments.insert([a, b, { ...done, job: { ...done.job, state: 'done' } }]);
      expect(await s.experiments.jobFor('e-a')).toMatchObject({ id: 'j-a', state: 'queued' });
      expect(await s.experiments.jobFor('e-none')).toBeNull();
      expect(await s.experiments.claimed()).toEqual([]);
      const got = await s.experiments.claim('local', 'agent-1', new Date(Date.now() + 60_000).toISOString());
      expect(got?.job.id).toBe('j-a');
      expect((await s.experiments.claimed()).map((j) => [j.id, j.agentId])).toEqual([['j-a', 'agent-1']]);
      expect(await s.experiments.activeCounts()).toEqual(new Map([['q', 2]]));
    });

    it('finds a user by id, forgets settings and run tokens a deleted project leaves', async () => {
      const s = await open();
      const { user } = await s.ensureAdmin();
      expect(await s.getUser(user.id)).toMatchObject({ id: user.id, name: user.name });
      expect(await s.getUser('nobody')).toBeNull();
      await s.setSetting('project.p.x', '1');
      await s.setSetting('project.p.y', '2');
      await s.setSetting('keep', '3');
      await s.deleteSettings(['project.p.x', 'project.p.y', 'absent']);
      expect(await s.getSetting('project.p.x')).toBeNull();
      expect(await s.getSetting('project.p.y')).toBeNull();
      expect(await s.getSetting('keep')).toBe('3');
      for (const [id, scope] of [
        ['t1', 'run:e-1'],
        ['t2', 'run:e-2'],
        ['t3', 'admin'],
      ] as const)
        await s.createToken({ id, userId: user.id, name: id, tokenHash: `h-${id}`, scope });
      await s.deleteTokensByScope(['run:e-1', 'run:e-2']);
      expect(await s.findToken('h-t1')).toBeNull();
      expect(await s.findToken('h-t2')).toBeNull();
      expect((await s.findToken('h-t3'))?.token.id).toBe('t3');
    });

    it('claims a setting once: the first value stored is what every later claim gets', async () => {
      const s = await open();
      expect(await s.claimSetting('compute.install', 'aaaaaaaaaaaa')).toBe('aaaaaaaaaaaa');
      expect(await s.claimSetting('compute.install', 'bbbbbbbbbbbb')).toBe('aaaaaaaaaaaa');
      if (!adapter.reopen) return;
      // Two servers starting at once on one database: both end up with the same id.
      const other = await adapter.reopen(s);
      opened.push(other);
      const got = await Promise.all([
        s.claimSetting('race', 'from-a'),
        other.claimSetting('race', 'from-b'),
        s.claimSetting('race', 'from-c'),
      ]);
      expect(new Set(got).size).toBe(1);
      expect(await other.getSetting('race')).toBe(got[0]);
    });

    it("keeps teams, caps, people's roles, a project's team and its per-project roles", async () => {
      const s = await open();
      const now = new Date().toISOString();
      const ml = await s.teams.createTeam({ name: 'ml' });
      const ops = await s.teams.createTeam({ name: 'ops' });
      if (!ml || !ops) throw new Error('teams not created');
      expect((await s.teams.listTeams()).map((t) => t.name)).toEqual(expect.arrayContaining(['ml', 'ops']));
      await s.teams.setMonthlyCap(ml.id, 250.5);
      expect((await s.teams.getTeam('ml'))?.monthlyCapUsd).toBe(250.5);
      await s.teams.setMonthlyCap(ml.id, null);
      expect((await s.teams.getTeam('ml'))?.monthlyCapUsd).toBeNull();

      const ann = await s.teams.createUser({ name: 'ann', email: 'ann@example.com' });
      const bob = await s.teams.createUser({ name: 'bob' });
      expect((await s.teams.listUsers()).map((u) => u.name)).toEqual(expect.arrayContaining(['ann', 'bob']));
      await s.teams.setUserRole(bob.id, 'admin');
      expect((await s.teams.findUser('bob'))?.role).toBe('admin');

      await s.createProject({ ...queueProject(now), name: 'p', teamId: ml.id });
      expect(await s.teams.teamOf('p')).toEqual({ id: ml.id, name: 'ml' });
      await s.teams.setProjectTeam('p', ops.id);
      expect(await s.teams.teamOf('p')).toEqual({ id: ops.id, name: 'ops' });
      expect(await s.teams.teamOf('absent')).toBeNull();

      await s.teams.setProjectRole('p', ann.id, 'viewer');
      expect(await s.teams.projectOverrides('p')).toEqual([
        { userId: ann.id, name: 'ann', email: 'ann@example.com', role: 'viewer' },
      ]);
      await s.teams.setProjectRole('p', ann.id, null);
      expect(await s.teams.projectOverrides('p')).toEqual([]);

      await s.teams.setRunOwner('e-1', ann.id);
      await s.teams.setRunOwner('e-2', bob.id);
      await s.teams.removeRunOwners(['e-1']);
      expect(await s.teams.runOwner('e-1')).toBeNull();
      expect(await s.teams.runOwner('e-2')).toBe(bob.id);
    });
  });
}

describe('Store conformance covers the whole port', () => {
  it('every method the Store port declares is called by some conformance suite', () => {
    const dir = import.meta.dirname;
    const ports = readdirSync(dir).filter((f) => /port\.ts$/.test(f) && !f.endsWith('.test.ts'));
    const methods = new Set<string>();
    for (const f of ports)
      for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(
        /^\s+(?:readonly )?([a-zA-Z]+)\??\(/gm,
      ))
        if (m[1]) methods.add(m[1]);
    const tests = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    expect(methods.size).toBeGreaterThan(50);
    const uncalled = [...methods].filter((m) => !tests.includes(`.${m}(`)).sort();
    expect(uncalled, 'port methods no Store conformance suite calls').toEqual([]);
  });
});
