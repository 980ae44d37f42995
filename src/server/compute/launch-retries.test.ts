import { afterAll, beforeAll, expect, it } from 'vitest';
import { Experiment, LogPage } from '../../contracts/experiments.js';
import { agentBundle, requires } from '../../../test/services.js';
import { simulatedAws, startSimCloudServer } from '../../../test/sim-cloud-harness.js';

/**
 * A cloud profile whose provider refuses every launch (the simulated cloud API, since a real one
 * cannot run here): Kiln tries again with a growing wait, shows each failed attempt on the
 * queued run, and after the profile's limit fails the run with the reason, never queued forever.
 */
const sim = simulatedAws();
let h: Awaited<ReturnType<typeof startSimCloudServer>>;
const REFUSAL = 'InsufficientInstanceCapacity: no m5.2xlarge capacity in us-west-1a (simulated)';

beforeAll(async () => {
  sim.refuse = REFUSAL;
  h = await startSimCloudServer(sim, { stingy: { launchAttempts: 3 } });
  // 1 s, then 2 s between launches (15 s, then 30 s… by default).
  await h.server.store.setSetting('runs.launchBackoffMs', '1000');
}, 120_000);
afterAll(async () => h?.close(), 60_000);

const get = async (name: string) =>
  Experiment.parse((await h.api('GET', `/api/projects/demo/experiments/${name}`)).json);

it('a cloud run that cannot launch is retried with backoff, shows its attempts, then fails with the reason (simulated cloud API)', async (ctx) => {
  requires(ctx, agentBundle);
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'no-room',
    target: 'stingy',
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);

  // The queued run says how the launches go: attempt 1 of 3, the error, when the next one is due.
  const first = await h.waitFor('no-room', (e) => (e.launch?.attempts ?? 0) >= 1, 60_000);
  const waiting = await get('no-room');
  expect(waiting.status).toBe('queued');
  expect(waiting.launch).toMatchObject({ attempts: 1, maxAttempts: 3, lastError: REFUSAL });
  expect(waiting.error).toContain(`launch attempt 1 of 3 failed: ${REFUSAL}; next try at `);
  expect(Date.parse(waiting.launch?.giveUpAt ?? '')).toBeGreaterThan(Date.parse(first.createdAt));
  // Every server reads the same count from the Store.
  const stored = await h.server.store.agents.launchAttempts('stingy');
  expect(stored).toMatchObject({ attempts: 1, lastError: REFUSAL });
  expect(Date.parse(stored?.nextAt ?? '') - sim.refused[0]!).toBeGreaterThanOrEqual(1000);

  // The third refusal is the profile's limit: the run fails, with the reason in its error and log.
  const failed = await h.waitFor('no-room', (e) => e.status === 'failed', 60_000);
  expect(failed.error).toMatch(
    /^no aws machine could be started for stingy: gave up after 3 launch attempts in \d+ s/,
  );
  expect(failed.error).toContain(REFUSAL);
  expect(failed.launch).toBeUndefined();
  const log = LogPage.parse((await h.api('GET', '/api/projects/demo/experiments/no-room/logs')).json);
  expect(log.chunks.map((c) => c.text).join('')).toContain('gave up after 3 launch attempts');

  // Three launches, no more, each after the wait: not one every tick of the monitor.
  expect(sim.refused).toHaveLength(3);
  const [a, b, c] = sim.refused as [number, number, number];
  expect(b - a).toBeGreaterThanOrEqual(1000);
  expect(c - b).toBeGreaterThanOrEqual(2000);
  expect(await h.server.store.agents.launchAttempts('stingy')).toBeNull();
}, 120_000);

it('a launch that works again clears the count: the next run starts on a machine (simulated cloud API)', async (ctx) => {
  requires(ctx, agentBundle);
  sim.refuse = null;
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'room-now',
    target: 'stingy',
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  const done = await h.waitFor('room-now', undefined, 120_000);
  expect(done.status, done.error ?? '').toBe('succeeded');
  expect(await h.server.store.agents.launchAttempts('stingy')).toBeNull();
}, 180_000);
