import { afterAll, beforeAll, expect, it } from 'vitest';
import { simulatedAws, startSimCloudServer } from '../../../test/sim-cloud-harness.js';

/**
 * The server's list of targets that start machines (the `compute_machines` table): what the reconciler
 * ends and what counts toward a profile's maxInstances over its machine choices. The real
 * server with the simulated cloud; nothing here launches a VM.
 */
const sim = simulatedAws();
let h: Awaited<ReturnType<typeof startSimCloudServer>>;
const NAMES = Array.from({ length: 16 }, (_, i) => `p${i}`);

beforeAll(async () => {
  const profiles: Record<string, Record<string, unknown>> = { gone: {}, stopping: {} };
  for (const n of NAMES) profiles[n] = {};
  h = await startSimCloudServer(sim, profiles);
}, 120_000);
afterAll(async () => {
  await h?.close();
}, 60_000);

const machines = async () => (await h.server.store.agents.machineTargets()).map((m) => m.name).sort();

it('targets remembered while the reconciler forgets a removed profile are all kept', async () => {
  const targets = h.server.runs.targets;
  await targets.get('gone');
  expect(await machines()).toEqual(['gone']);
  expect((await h.api('DELETE', '/api/compute/profiles/gone')).status).toBe(204);
  // The scheduler's tick builds (remembers) targets while the reconciler forgets on its timer.
  await Promise.all([targets.reconcile(), ...NAMES.map((n) => targets.get(n))]);
  // Every profile's machines stay counted and reconciled; the removed one with none is forgotten.
  expect(await machines()).toEqual([...NAMES].sort());
}, 60_000);

it('a removed profile is remembered while a VM of it is still shutting down, then forgotten', async () => {
  const targets = h.server.runs.targets;
  await targets.get('stopping');
  // A VM of it, left by a server that died mid-launch; the cloud takes 3 s to end a VM.
  const vm = await sim.launch({
    name: 'kiln-stopping-left',
    machine: {
      cloud: 'aws',
      region: 'us-east-1',
      zone: null,
      type: 'm5.2xlarge',
      accelerator: null,
      diskGb: 35,
      spot: false,
      maxPrice: null,
      pricePerHour: 0.384,
      estimate: null,
      timeoutSec: 3600,
    },
    userData: 'sleep 60\n',
    tags: { 'kiln-install': await targets.install(), 'kiln-profile': 'stopping' },
  });
  sim.terminateDelayMs = 3_000;
  try {
    expect((await h.api('DELETE', '/api/compute/profiles/stopping')).status).toBe(204);
    expect(await targets.reconcile()).toContain(vm.id);
    // Still listed (shutting down): forgetting the profile now would leave it unwatched.
    expect(sim.instances.get(vm.id)?.state).toBe('stopping');
    expect(await machines()).toContain('stopping');
    await expect
      .poll(async () => (await targets.reconcile(), machines()), { timeout: 20_000, interval: 500 })
      .not.toContain('stopping');
    expect(sim.instances.get(vm.id)?.state).toBe('terminated');
  } finally {
    sim.terminateDelayMs = 0;
  }
}, 60_000);
