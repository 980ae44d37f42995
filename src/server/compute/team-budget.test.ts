import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamSpend, TeamSpendList } from '../../contracts/budget.js';
import type { Database } from '../../store/schema.js';
import { simulatedAws, startSimCloudServer } from '../../../test/sim-cloud-harness.js';

/**
 * Compute and money at submit time, on a real server with a cloud profile (the simulated AWS:
 * `m` is an m5.2xlarge at its list price of $0.384/h, so a run's most is 0.384 × timeout hours).
 */
const sim = simulatedAws();
let h: Awaited<ReturnType<typeof startSimCloudServer>>;

beforeAll(async () => {
  h = await startSimCloudServer(sim, { cloud: { region: 'us-west', type: 'm', maxInstances: 1 } });
  const db = (h.server.store as unknown as { db: Kysely<Database> }).db;
  await db
    .insertInto('teams')
    .values({
      id: 't-vision',
      name: 'vision',
      personal: 0,
      monthly_cap_usd: null,
      created_at: new Date().toISOString(),
    })
    .execute();
}, 120_000);
afterAll(async () => h?.close(), 60_000);

const submit = (name: string, timeoutSec: number, extra: Record<string, unknown> = {}) =>
  h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name,
    target: 'cloud',
    timeoutSec,
    script: 'sleep 600\n',
    ...extra,
  });
const errorOf = (json: unknown) => (json as { error: string }).error;
const spend = async () =>
  TeamSpendList.parse((await h.api('GET', '/api/spend')).json).teams.find((t) => t.team === 'default')!;

describe('a team monthly spending cap, checked when a run is submitted', () => {
  it('a run that would pass the cap is refused with the figures; under it, it is queued and reserves its most', async () => {
    const capped = await h.api('PUT', '/api/teams/default/cap', { monthlyCapUsd: 1 });
    expect(capped.status, JSON.stringify(capped.json)).toBe(200);
    expect(TeamSpend.parse(capped.json)).toMatchObject({
      capUsd: 1,
      spentUsd: 0,
      reservedUsd: 0,
      leftUsd: 1,
    });

    // 4 hours × $0.384 = $1.536.
    const over = await submit('too-long', 4 * 3600);
    expect(over.status).toBe(403);
    expect(errorOf(over.json)).toBe(
      'this run may cost up to $1.54; team default has $1 left of $1 this month',
    );

    // A sweep counts every run: 3 × 1 h × $0.384 = $1.152.
    const sweep = await submit('sweep', 3600, { set: ['train.lr=0.1,0.2,0.3'] });
    expect(sweep.status).toBe(403);
    expect(errorOf(sweep.json)).toBe(
      'this sweep of 3 runs may cost up to $1.15; team default has $1 left of $1 this month',
    );

    const under = await submit('fits', 3600);
    expect(under.status, JSON.stringify(under.json)).toBe(201);
    expect(await spend()).toMatchObject({ reservedUsd: 0.38, leftUsd: 0.62, runs: 1 });

    // What it reserves counts against the next one: 2 h = $0.768 > $0.62 left.
    const next = await submit('second', 7200);
    expect(next.status).toBe(403);
    expect(errorOf(next.json)).toBe(
      'this run may cost up to $0.77; team default has $0.62 left of $1 this month',
    );

    // A cancelled run frees what it reserved (it never started, so it cost nothing).
    expect((await h.api('POST', '/api/projects/demo/experiments/fits/cancel')).status).toBe(200);
    expect(await spend()).toMatchObject({ reservedUsd: 0, spentUsd: 0, leftUsd: 1 });
    expect((await submit('second', 7200)).status).toBe(201);
    expect((await h.api('POST', '/api/projects/demo/experiments/second/cancel')).status).toBe(200);

    // Local runs cost nothing and are never refused for money.
    const local = await h.api('POST', '/api/projects/demo/experiments', {
      rev: 'main',
      name: 'local-one',
      timeoutSec: 24 * 3600,
      script: 'true\n',
    });
    expect(local.status, JSON.stringify(local.json)).toBe(201);

    // Without a cap nothing is refused for money.
    expect((await h.api('PUT', '/api/teams/default/cap', { monthlyCapUsd: null })).status).toBe(200);
    const free = await submit('no-cap', 4 * 3600);
    expect(free.status, JSON.stringify(free.json)).toBe(201);
    expect((await h.api('POST', '/api/projects/demo/experiments/no-cap/cancel')).status).toBe(200);
    expect((await spend()).leftUsd).toBeNull();
  }, 120_000);

  it('runs submitted at once when only some fit under the cap: as many are queued as fit, the rest refused with the figures', async () => {
    // $1 cap, each run's most is 1 h × $0.384: two fit ($0.768), a third would pass it.
    expect((await h.api('PUT', '/api/teams/default/cap', { monthlyCapUsd: 1 })).status).toBe(200);
    const names = ['race-a', 'race-b', 'race-c', 'race-d', 'race-e', 'race-f'];
    const all = await Promise.all(names.map((n) => submit(n, 3600)));
    const queued = names.filter((_, i) => all[i]?.status === 201);
    expect(queued, JSON.stringify(all.map((r) => r.json))).toHaveLength(2);
    for (const r of all.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(403);
      expect(errorOf(r.json)).toBe(
        'this run may cost up to $0.38; team default has $0.23 left of $1 this month',
      );
    }
    expect(await spend()).toMatchObject({ reservedUsd: 0.77, leftUsd: 0.23 });
    for (const n of queued)
      expect((await h.api('POST', `/api/projects/demo/experiments/${n}/cancel`)).status).toBe(200);
    expect((await h.api('PUT', '/api/teams/default/cap', { monthlyCapUsd: null })).status).toBe(200);
  }, 60_000);

  it('a profile that names its teams refuses runs of other teams, with the reason', async () => {
    const closed = await h.api('PUT', '/api/compute/profiles/cloud/teams', { teams: ['vision'] });
    expect(closed.status, JSON.stringify(closed.json)).toBe(200);
    expect((await h.api('GET', '/api/compute/profiles/cloud/teams')).json).toEqual({ teams: ['vision'] });
    const refused = await submit('not-ours', 600);
    expect(refused.status).toBe(403);
    expect(errorOf(refused.json)).toBe(
      'compute profile cloud is not open to team default, which owns project demo',
    );

    expect((await h.api('PUT', '/api/compute/profiles/cloud/teams', { teams: ['nope'] })).status).toBe(400);
    expect(
      (await h.api('PUT', '/api/compute/profiles/cloud/teams', { teams: ['vision', 'default'] })).status,
    ).toBe(200);
    const ok = await submit('ours', 600);
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    expect((await h.api('POST', '/api/projects/demo/experiments/ours/cancel')).status).toBe(200);
    // Empty again: open to every team.
    expect((await h.api('PUT', '/api/compute/profiles/cloud/teams', { teams: [] })).status).toBe(200);
  }, 60_000);
});
