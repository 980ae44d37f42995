import { afterAll, beforeAll, expect, it } from 'vitest';
import { simulatedAws, startSimCloudServer } from './sim-cloud-harness.js';

/**
 * The server's list of targets that start machines (`compute.machines`): what the reconciler
 * ends and what counts toward a profile's maxInstances over its machine choices. The real
 * server with the simulated cloud; nothing here launches a VM.
 */
const sim = simulatedAws();
let h: Awaited<ReturnType<typeof startSimCloudServer>>;
const NAMES = Array.from({ length: 16 }, (_, i) => `p${i}`);

beforeAll(async () => {
  const profiles: Record<string, Record<string, unknown>> = { gone: {} };
  for (const n of NAMES) profiles[n] = {};
  h = await startSimCloudServer(sim, profiles);
}, 120_000);
afterAll(async () => {
  await h?.close();
}, 60_000);

const machines = async () =>
  Object.keys(JSON.parse((await h.server.store.getSetting('compute.machines')) ?? '{}') as object).sort();

it('targets remembered while the reconciler forgets a removed profile are all kept', async () => {
  const targets = h.server.runs.scheduler.targets;
  await targets.get('gone');
  expect(await machines()).toEqual(['gone']);
  expect((await h.api('DELETE', '/api/compute/profiles/gone')).status).toBe(204);
  // The scheduler's tick builds (remembers) targets while the reconciler forgets on its timer.
  await Promise.all([targets.reconcile(), ...NAMES.map((n) => targets.get(n))]);
  // Every profile's machines stay counted and reconciled; the removed one with none is forgotten.
  expect(await machines()).toEqual([...NAMES].sort());
}, 60_000);
