import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedAws, startSimCloudServer } from '../../../test/sim-cloud-harness.js';

/**
 * A cloud profile's maxInstances over its machine choices (variants), through the real server,
 * scheduler, CloudBackend and startup script on the simulated cloud, whose listing shows a VM
 * only some seconds after its launch, as EC2's eventually consistent describe may.
 */
const BUNDLE = path.resolve('dist/agent.mjs');
const sim = simulatedAws();
let h: Awaited<ReturnType<typeof startSimCloudServer>>;

/** When each VM was first seen and when it was seen gone; the most VMs up at once. */
const seen = new Map<string, { up: number; gone: number | null }>();
let most = 0;
let watching: NodeJS.Timeout | undefined;

beforeAll(async () => {
  h = await startSimCloudServer(sim, {
    one: { region: 'us-west', type: 'm', maxInstances: 1, idleTimeoutSec: 3 },
  });
  sim.listDelayMs = 15_000;
  watching = setInterval(() => {
    let up = 0;
    for (const [id, i] of sim.instances) {
      const s = seen.get(id) ?? { up: Date.now(), gone: null };
      if (i.state === 'terminated') s.gone ??= Date.now();
      else up++;
      seen.set(id, s);
    }
    most = Math.max(most, up);
  }, 50);
}, 120_000);
afterAll(async () => {
  clearInterval(watching);
  await h?.close();
  expect([...sim.instances.values()].filter((i) => i.state === 'running')).toEqual([]);
}, 60_000);

async function create(name: string, machine: Record<string, unknown>, script?: string) {
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name,
    target: 'one',
    timeoutSec: 600,
    machine,
    ...(script ? { script } : {}),
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
}

describe.skipIf(!existsSync(BUNDLE))('maxInstances over machine choices', () => {
  it('runs of two machine choices queued together start one VM while the listing lags', async () => {
    await create('first', { diskGb: 40 }, 'sleep 50\n');
    await create('second', { diskGb: 50 });
    // Past the listing's lag, and past the scheduler's 5 s checks: one VM, the other run waits.
    await new Promise((r) => setTimeout(r, 20_000));
    expect(most).toBe(1);
    expect(sim.instances.size).toBe(1);
    const waiting = await h.waitFor('second', (x) => (x.error ?? '').includes('maxInstances'), 10_000);
    expect(waiting.status).toBe('queued');
    expect(waiting.error).toMatch(/^waiting: no aws machine could be started for one: /);
  }, 120_000);

  it('the waiting run gets its VM within seconds of the other VM powering itself off when idle', async () => {
    const first = await h.waitFor('first', undefined, 120_000);
    expect(first.status, first.error ?? '').toBe('succeeded');
    const vm = first.placement?.id ?? '';
    // Its run ended: the VM idles out by itself, no Kiln terminate.
    await expect.poll(() => seen.get(vm)?.gone ?? null, { timeout: 60_000, interval: 100 }).not.toBeNull();
    const second = await h.waitFor('second', undefined, 120_000);
    expect(second.status, second.error ?? '').toBe('succeeded');
    const next = seen.get(second.placement?.id ?? '');
    // The run waited for the profile, not for a back-off over its waiting (15 s, 30 s, ...).
    expect((next?.up ?? Infinity) - (seen.get(vm)?.gone ?? 0)).toBeLessThan(8_000);
    expect(second.error ?? '').not.toContain('maxInstances');
    expect(most).toBe(1);
  }, 240_000);
});
