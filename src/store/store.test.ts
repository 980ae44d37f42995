import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from './port.js';
import { suiteRequires } from '../../test/services.js';
import { adapters, queueEntry, queueProject } from '../../test/store-adapters.js';

const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

for (const adapter of adapters) {
  describe(`Store conformance: ${adapter.name}`, () => {
    if (adapter.needs) suiteRequires(adapter.needs);
    const open = async () => {
      const s = await adapter.open();
      opened.push(s);
      return s;
    };

    it('creates the admin once and keeps it', async () => {
      const s = await open();
      const first = await s.ensureAdmin();
      const second = await s.ensureAdmin();
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.user.id).toBe(first.user.id);
      expect(second.user.role).toBe('admin');
    });

    it('login codes work once and expire', async () => {
      const s = await open();
      const { user } = await s.ensureAdmin();
      const future = new Date(Date.now() + 60_000).toISOString();
      await s.createLoginCode('h1', user.id, future);
      await s.createLoginCode('h2', user.id, new Date(Date.now() - 1000).toISOString());
      const now = new Date().toISOString();
      expect((await s.consumeLoginCode('h1', now))?.id).toBe(user.id);
      expect(await s.consumeLoginCode('h1', now)).toBeNull();
      expect(await s.consumeLoginCode('h2', now)).toBeNull();
      expect(await s.consumeLoginCode('nope', now)).toBeNull();
    });

    it('sessions are found until they expire or are deleted', async () => {
      const s = await open();
      const { user } = await s.ensureAdmin();
      await s.createSession('s1', user.id, new Date(Date.now() + 60_000).toISOString());
      await s.createSession('s2', user.id, new Date(Date.now() - 1).toISOString());
      const now = new Date().toISOString();
      expect((await s.findSession('s1', now))?.name).toBe('admin');
      expect(await s.findSession('s2', now)).toBeNull();
      await s.deleteSession('s1');
      expect(await s.findSession('s1', now)).toBeNull();
    });

    it('tokens are listed, found by hash, and stop working when revoked', async () => {
      const s = await open();
      const { user } = await s.ensureAdmin();
      const t = await s.createToken({
        id: 't1',
        userId: user.id,
        name: 'ci',
        tokenHash: 'hash1',
        scope: 'user',
      });
      await s.createToken({ id: 't2', userId: user.id, name: 'run', tokenHash: 'hash2', scope: 'run:x' });
      expect((await s.listTokens(user.id)).map((x) => x.name)).toEqual(['ci']);
      const found = await s.findToken('hash1');
      expect(found?.token.id).toBe(t.id);
      expect(found?.user.name).toBe('admin');
      expect((await s.findToken('hash2'))?.token.scope).toBe('run:x');
      expect(await s.revokeToken('t1', user.id)).toBe(true);
      expect(await s.revokeToken('t1', user.id)).toBe(false);
      expect(await s.findToken('hash1')).toBeNull();
    });

    it('stores, updates and deletes projects', async () => {
      const s = await open();
      const rec = {
        name: 'p1',
        source: '/tmp/x',
        subdir: null,
        credentialsEnc: 'sealed',
        settingsJson: '{"paramsFiles":[],"metricsFiles":[]}',
        fetchState: 'never' as const,
        fetchAt: null,
        fetchError: null,
        createdAt: new Date().toISOString(),
      };
      await s.createProject(rec);
      await expect(s.createProject(rec)).rejects.toThrow();
      await s.updateProject('p1', { fetchState: 'error', fetchError: 'boom', subdir: 'ml' });
      const got = await s.getProject('p1');
      expect(got).toMatchObject({
        fetchState: 'error',
        fetchError: 'boom',
        subdir: 'ml',
        credentialsEnc: 'sealed',
      });
      expect((await s.listProjects()).map((p) => p.name)).toEqual(['p1']);
      expect(await s.deleteProject('p1')).toBe(true);
      expect(await s.getProject('p1')).toBeNull();
    });

    it('queue: claims the highest priority, then the oldest, once; counts held jobs per target', async () => {
      const s = await open();
      const now = new Date().toISOString();
      await s.createProject(queueProject(now));
      const entry = (name: string, target: string, priority: number, queueOrder: number) =>
        queueEntry(now, name, target, 'queued', priority, queueOrder);
      await s.experiments.insert([
        entry('old', 'local', 0, 1),
        entry('new', 'local', 0, 2),
        entry('urgent', 'local', 5, 3),
        entry('far', 'gpu', 0, 0),
      ]);
      const order: string[] = [];
      for (let i = 0; i < 4; i++) {
        const got = await s.experiments.claim('local', 'agent-1', now);
        if (got) order.push(got.experiment.name);
      }
      expect(order).toEqual(['urgent', 'old', 'new']);
      expect(await s.experiments.claimedCount('local')).toBe(3);
      expect(await s.experiments.claimedCount('gpu')).toBe(0);
      await s.experiments.updateJob('j-old', { state: 'done' });
      expect(await s.experiments.claimedCount('local')).toBe(2);
    });

    it("queue: counts active experiments per target, lists a target's queued ones in order, finds jobs held elsewhere", async () => {
      const s = await open();
      const now = new Date().toISOString();
      await s.createProject(queueProject(now));
      const entry = (name: string, target: string, status: string, priority = 0, queueOrder = 0) =>
        queueEntry(now, name, target, status, priority, queueOrder);
      await s.experiments.insert([
        entry('a', 'local', 'queued', 0, 1),
        entry('b', 'local', 'running'),
        entry('c', 'local', 'succeeded'),
        entry('d', 'gpu', 'queued', 0, 2),
        entry('e', 'gpu', 'lost'),
        entry('f', 'local', 'queued', 3, 3),
        entry('g', 'cluster', 'failed'),
      ]);
      expect(await s.experiments.activeByTarget()).toEqual(
        new Map([
          ['local', 3],
          ['gpu', 1],
        ]),
      );
      expect((await s.experiments.queued('local')).map((e) => e.name)).toEqual(['f', 'a']);
      expect((await s.experiments.queued('cluster')).map((e) => e.name)).toEqual([]);

      const gpu = await s.experiments.claim('gpu', 'agent-g', now);
      const local = await s.experiments.claim('local', 'agent-l', now);
      expect([gpu?.experiment.name, local?.experiment.name]).toEqual(['d', 'f']);
      expect(local?.job).toMatchObject({ id: 'j-f', state: 'claimed', agentId: 'agent-l', leaseUntil: now });
      expect(await s.experiments.getJob('j-f')).toEqual(local?.job);
      const held = await s.experiments.claimedElsewhere('local');
      expect(held.map((h) => [h.job.id, h.job.agentId, h.target])).toEqual([['j-d', 'agent-g', 'gpu']]);
      expect((await s.experiments.claimedElsewhere('gpu')).map((h) => h.job.id)).toEqual(['j-f']);

      // The same update shapes again with other values, nulls included, land on their own rows.
      await s.experiments.updateJob('j-d', {
        state: 'queued',
        agentId: null,
        leaseUntil: null,
        runTokenId: 't1',
      });
      await s.experiments.updateJob('j-f', {
        state: 'done',
        agentId: 'x',
        leaseUntil: 'later',
        runTokenId: null,
      });
      expect(await s.experiments.getJob('j-d')).toMatchObject({
        state: 'queued',
        agentId: null,
        leaseUntil: null,
        runTokenId: 't1',
      });
      expect(await s.experiments.getJob('j-f')).toMatchObject({
        state: 'done',
        agentId: 'x',
        leaseUntil: 'later',
        runTokenId: null,
      });
      await s.experiments.update('e-a', { status: 'failed', error: 'boom', exitCode: 2 });
      await s.experiments.update('e-f', { status: 'running', error: null, exitCode: null });
      expect(await s.experiments.getById('e-a')).toMatchObject({
        status: 'failed',
        error: 'boom',
        exitCode: 2,
      });
      expect(await s.experiments.getById('e-f')).toMatchObject({
        status: 'running',
        error: null,
        exitCode: null,
      });
      expect(await s.experiments.getById('e-nope')).toBeNull();
      expect(await s.experiments.getJob('j-nope')).toBeNull();
    });

    it('caches parsed blobs by id and kind, first write wins', async () => {
      const s = await open();
      await s.putBlobs('k', [
        { oid: 'a', json: '1' },
        { oid: 'b', json: '2' },
      ]);
      await s.putBlobs('k', [{ oid: 'a', json: '9' }]);
      const got = await s.getBlobs('k', ['a', 'b', 'c']);
      expect([...got.entries()].sort()).toEqual([
        ['a', '1'],
        ['b', '2'],
      ]);
      expect((await s.getBlobs('other', ['a'])).size).toBe(0);
    });

    it('keeps settings', async () => {
      const s = await open();
      expect(await s.getSetting('x')).toBeNull();
      await s.setSetting('x', '1');
      await s.setSetting('x', '2');
      expect(await s.getSetting('x')).toBe('2');
    });

    const liveExp = (id: string, name: string, at: string, summaryJson = '{}') => ({
      id,
      project: 'lp',
      baseline: 'a'.repeat(40),
      name,
      kilnExperimentId: null,
      summaryJson,
      pushed: false,
      createdAt: at,
      updatedAt: at,
    });
    const withLiveProject = async () => {
      const s = await open();
      await s.createProject({
        name: 'lp',
        source: '/tmp/lp',
        subdir: null,
        credentialsEnc: null,
        settingsJson: '{}',
        fetchState: 'never',
        fetchAt: null,
        fetchError: null,
        createdAt: new Date().toISOString(),
      });
      return s;
    };

    it('live: saves experiments with points and images; later saves replace, never duplicate', async () => {
      const s = await withLiveProject();
      const e1 = liveExp('e1', 'one', '2024-01-01T00:00:00.000Z');
      const e2 = liveExp('e2', 'two', '2024-01-02T00:00:00.000Z');
      await s.live.save([
        {
          experiment: e1,
          points: [{ plot: 'loss.tsv', step: 1, rowJson: '{"step":1,"loss":1}' }],
          images: [],
        },
        {
          experiment: { ...e1, summaryJson: '{"step":0}' },
          points: [
            { plot: 'loss.tsv', step: 0, rowJson: '{"step":0,"loss":2}' },
            { plot: 'loss.tsv', step: 1, rowJson: '{"step":1,"loss":0.5}' },
          ],
          images: [{ plot: 'img.png', step: 0, base64: 'AAA' }],
        },
        { experiment: e2, points: [], images: [] },
      ]);
      await s.live.save([
        {
          experiment: {
            ...e1,
            summaryJson: '{"step":1}',
            pushed: true,
            updatedAt: '2024-01-03T00:00:00.000Z',
          },
          points: [{ plot: 'acc.tsv', step: 1, rowJson: '{"step":1,"acc":0.9}' }],
          images: [{ plot: 'img.png', step: 1, base64: 'BBB' }],
        },
      ]);
      expect(await s.live.getById('e1')).toEqual({
        ...e1,
        summaryJson: '{"step":1}',
        pushed: true,
        updatedAt: '2024-01-03T00:00:00.000Z',
      });
      expect(await s.live.get('lp', 'a'.repeat(40), 'two')).toEqual(e2);
      expect(await s.live.get('lp', 'b'.repeat(40), 'two')).toBeNull();
      expect((await s.live.list('lp')).map((e) => e.id)).toEqual(['e2', 'e1']);
      expect(await s.live.points('e1')).toEqual([
        { plot: 'acc.tsv', step: 1, rowJson: '{"step":1,"acc":0.9}' },
        { plot: 'loss.tsv', step: 0, rowJson: '{"step":0,"loss":2}' },
        { plot: 'loss.tsv', step: 1, rowJson: '{"step":1,"loss":0.5}' },
      ]);
      expect(await s.live.images('e1')).toEqual([{ plot: 'img.png', step: 1, base64: 'BBB' }]);
      expect(await s.live.points('e2')).toEqual([]);
    });

    it('live: stores a large batch whole and removes experiments with their rows', async () => {
      const s = await withLiveProject();
      const batch = Array.from({ length: 30 }, (_, i) => ({
        experiment: liveExp(`x${i}`, `exp-${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}.000Z`),
        points: Array.from({ length: 20 }, (_, step) => ({
          plot: 'p.tsv',
          step,
          rowJson: `{"step":${step}}`,
        })),
        images: [{ plot: 'i.png', step: 0, base64: 'Z' }],
      }));
      await s.live.save(batch);
      await s.live.save([]);
      expect(await s.live.list('lp')).toHaveLength(30);
      expect(await s.live.points('x7')).toHaveLength(20);
      expect(await s.live.remove(['x0', 'x1', 'missing'])).toBe(2);
      expect(await s.live.remove([])).toBe(0);
      expect(await s.live.getById('x0')).toBeNull();
      expect(await s.live.points('x0')).toEqual([]);
      expect(await s.live.images('x1')).toEqual([]);
      expect(await s.live.list('lp')).toHaveLength(28);
      expect(await s.live.list('other')).toEqual([]);
    });

    it('ci: caches statuses, keeps Kiln pull requests across status writes, invalidates', async () => {
      const s = await open();
      const [a, b, c] = ['a', 'b', 'c'].map((x) => x.repeat(40)) as [string, string, string];
      await s.ci.putPullRequest('p', a, { url: 'https://gh/o/r/pull/12', number: 12 });
      let [ra] = await s.ci.get('p', [a]);
      expect(ra).toMatchObject({ sha: a, state: 'none', prUrl: 'https://gh/o/r/pull/12', prNumber: 12 });
      expect(ra?.checkedAt).toBeNull();

      const at = '2026-01-01T00:00:00.000Z';
      await s.ci.putStatus([
        { project: 'p', sha: a, state: 'running', url: 'https://ci/1', cmlUrl: null, checkedAt: at },
        { project: 'p', sha: b, state: 'passed', url: null, cmlUrl: 'https://gh/c/1', checkedAt: at },
        { project: 'q', sha: c, state: 'failed', url: null, cmlUrl: null, checkedAt: at },
      ]);
      [ra] = await s.ci.get('p', [a]);
      expect(ra).toMatchObject({ state: 'running', url: 'https://ci/1', prNumber: 12, checkedAt: at });
      await s.ci.putPullRequest('p', b, { url: 'https://gh/o/r/pull/13', number: 13 });
      const rows = await s.ci.get('p', [a, b, c]);
      expect(rows.map((r) => [r.sha, r.state, r.prNumber, r.cmlUrl]).sort()).toEqual([
        [a, 'running', 12, null],
        [b, 'passed', 13, 'https://gh/c/1'],
      ]);

      // A project-wide invalidation skips final states; a targeted one does not.
      expect(await s.ci.invalidate('p')).toEqual([a]);
      expect((await s.ci.get('p', [a]))[0]?.checkedAt).toBeNull();
      expect(await s.ci.invalidate('p', [b, c])).toEqual([b]);
      expect(await s.ci.invalidate('p', [])).toEqual([]);
      expect((await s.ci.get('q', [c]))[0]?.checkedAt).toBe(at);

      const many = Array.from({ length: 1200 }, (_, i) => i.toString(16).padStart(40, '0'));
      await s.ci.putStatus(
        many.map((sha) => ({ project: 'm', sha, state: 'pending', url: null, cmlUrl: null, checkedAt: at })),
      );
      expect(await s.ci.get('m', many)).toHaveLength(1200);
      await s.ci.removeProject('m');
      expect(await s.ci.get('m', many)).toEqual([]);
    });
  });
}
