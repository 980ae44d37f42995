import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetadataStandIn } from '../../../test/metadata-standin.js';
import { LogPage } from '../../contracts/experiments.js';
import { simulatedAws, startSimCloudServer } from '../../../test/sim-cloud-harness.js';

/**
 * `kind: aws` (and gcp/azure, built the same way) profiles through the scheduler: the real
 * server, CloudBackend and startup script, with the provider swapped for the simulated cloud
 * (each VM a bash process running the startup script in a clean temp dir).
 */
const BUNDLE = path.resolve('dist/agent.mjs');
const sim = simulatedAws();
let h: Awaited<ReturnType<typeof startSimCloudServer>>;
// The simulated machines' metadata service (EC2 IMDSv2 shapes), where a spot notice appears.
let md: Awaited<ReturnType<typeof startMetadataStandIn>>;

beforeAll(async () => {
  md = await startMetadataStandIn();
  sim.metadataUrl = md.url;
  h = await startSimCloudServer(sim, { spot: { region: 'us-west', type: 'm', spot: true, maxInstances: 1 } });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await md?.close();
  // No orphans: stopping the server terminated every VM it started.
  expect([...sim.instances.values()].filter((i) => i.state === 'running')).toEqual([]);
}, 60_000);

async function run(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name,
    target: 'spot',
    ...extra,
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
}

describe.skipIf(!existsSync(BUNDLE))('runs on a cloud profile', () => {
  it('the demo project runs on a launched VM; the idle VM takes the next run', async () => {
    await run('on-vm', { set: ['train.lr=0.005'] });
    const e = await h.waitFor('on-vm');
    expect(e.status).toBe('succeeded');
    expect(e.resultCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(e.placement).toMatchObject({ target: 'aws', profile: 'spot', id: 'sim-1' });
    expect(e.placement?.detail).toContain('aws instance sim-1');
    await run('on-vm-2', { set: ['train.lr=0.006'] });
    const e2 = await h.waitFor('on-vm-2');
    expect(e2.status).toBe('succeeded');
    expect(e2.placement?.id).toBe('sim-1');
    expect(sim.instances.size).toBe(1);
  }, 240_000);

  it('a VM that goes away under a run (a spot reclaim) makes the run lost, before the lease ends', async () => {
    await run('vm-lost', { script: 'echo started; sleep 120\n' });
    const running = await h.waitFor('vm-lost', (x) => x.status === 'running', 120_000);
    const id = running.placement?.id ?? '';
    await sim.terminate(id);
    const e = await h.waitFor('vm-lost', undefined, 25_000);
    expect(e.status).toBe('lost');
    expect(e.error).toContain(`aws instance ${id}`);
  }, 240_000);

  it('a spot notice mid-run: checkpoint, the VM goes, a new VM resumes the same experiment to success', async () => {
    const logText = async () =>
      LogPage.parse((await h.api('GET', '/api/projects/demo/experiments/spot-resume/logs')).json)
        .chunks.map((c) => c.text)
        .join('');
    await run('spot-resume', {
      script: [
        'mkdir -p dvclive',
        'if [ -f dvclive/progress ]; then echo "resumed at step $(cat dvclive/progress)"; exit 0; fi',
        'echo 4 > dvclive/progress',
        'echo "training from scratch"',
        'sleep 120',
        '',
      ].join('\n'),
    });
    await expect.poll(logText, { timeout: 120_000, interval: 250 }).toContain('training from scratch');
    const first = (await h.waitFor('spot-resume', (x) => x.status === 'running')).placement?.id ?? '';
    md.notice = true;
    await expect.poll(logText, { timeout: 60_000, interval: 200 }).toMatch(/checkpoint \w+ saved/);
    md.notice = false;
    const e = await h.waitFor('spot-resume', undefined, 180_000);
    const log = await logText();
    expect(e.status, log).toBe('succeeded');
    expect(log).toContain('resumed at step 4');
    expect(e.timeline.filter((t) => t.status === 'starting')).toHaveLength(2);
    // The reclaimed VM is gone; the run finished on another one.
    expect(e.placement?.id).not.toBe(first);
    await expect.poll(async () => (await sim.describe(first))?.state, { timeout: 30_000 }).toBe('terminated');
  }, 300_000);

  it('the reconciler terminates a tagged VM no run owns and keeps one whose agent polls', async () => {
    const targets = h.server.runs.targets;
    const install = await targets.install();
    await run('vm-again');
    const again = await h.waitFor('vm-again');
    expect(again.status).toBe('succeeded');
    const live = again.placement?.id ?? '';
    const orphan = await sim.launch({
      name: 'orphan',
      machine: {
        cloud: 'aws',
        region: 'us-west-1',
        zone: null,
        type: 'm5.large',
        accelerator: null,
        diskGb: 8,
        spot: true,
        maxPrice: null,
        pricePerHour: null,
        estimate: null,
        timeoutSec: 60,
      },
      userData: 'sleep 600\n',
      tags: { 'kiln-install': install, 'kiln-profile': 'spot', 'kiln-token': 'never-registered' },
    });
    // Both made long ago: past the grace a booting VM gets.
    for (const id of [orphan.id, live]) {
      const i = sim.instances.get(id);
      if (i) sim.instances.set(id, { ...i, launchedAt: new Date(Date.now() - 3600_000).toISOString() });
    }
    expect(await targets.reconcile()).toEqual([orphan.id]);
    expect((await sim.describe(live))?.state).toBe('running');
  }, 240_000);

  it('removing a profile ends its idle VMs at the next reconcile, and then forgets it', async () => {
    const targets = h.server.runs.targets;
    const idle = [...sim.instances.values()].filter(
      (i) => i.state === 'running' && i.tags['kiln-profile'] === 'spot',
    );
    expect(idle.length).toBeGreaterThan(0);
    expect((await h.api('DELETE', '/api/compute/profiles/spot')).status).toBe(204);
    expect(await targets.reconcile()).toEqual(expect.arrayContaining(idle.map((i) => i.id)));
    expect([...sim.instances.values()].filter((i) => i.state === 'running')).toEqual([]);
    // Forgotten once the cloud lists none of its VMs, not while they are still shutting down.
    await expect
      .poll(async () => (await targets.reconcile(), await h.server.store.agents.machineTargets()))
      .toEqual([]);
  }, 60_000);
});
