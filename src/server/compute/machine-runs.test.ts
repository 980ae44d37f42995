import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatedExperiments, Experiment, ExperimentList } from '../../contracts/experiments.js';
import { simulatedAws, startSimCloudServer } from '../../../test/sim-cloud-harness.js';

/**
 * Per-run machines on a cloud profile (overrides within its limits), through the real server,
 * scheduler, CloudBackend and startup script, with the provider swapped for the simulated cloud.
 */
const BUNDLE = path.resolve('dist/agent.mjs');
const sim = simulatedAws();
let h: Awaited<ReturnType<typeof startSimCloudServer>>;

beforeAll(async () => {
  h = await startSimCloudServer(sim, {
    gpu: {
      region: 'us-west',
      type: 'm',
      maxInstances: 2,
      maxTimeoutSec: 7200,
      maxPricePerHour: 10,
    },
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  expect([...sim.instances.values()].filter((i) => i.state === 'running')).toEqual([]);
}, 60_000);

function create(body: Record<string, unknown>) {
  return h.api('POST', '/api/projects/demo/experiments', { rev: 'main', timeoutSec: 3600, ...body });
}

const CLI = ['--import', 'tsx', path.resolve('src/cli/main.ts')];
function kiln(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI, ...args],
      { env: { ...process.env, KILN_URL: h.server.url, KILN_TOKEN: h.token } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('machine overrides are checked against the profile', () => {
  it('refuses overrides over a limit, naming it, and overrides off the clouds', async () => {
    const price = await create({ name: 'too-dear', target: 'gpu', machine: { type: 'xl', gpu: 'k80' } });
    expect(price.status).toBe(400);
    expect(h.errorOf(price.json)).toMatch(/p2\.16xlarge costs \$14\.4\/h.*maxPricePerHour=\$10\/h/);
    const bid = await create({ name: 'bid', target: 'gpu', machine: { spot: true, maxPrice: 20 } });
    expect(h.errorOf(bid.json)).toContain('max price $20/h is over this profile');
    const long = await create({ name: 'too-long', target: 'gpu', timeoutSec: 9000 });
    expect(long.status).toBe(400);
    expect(h.errorOf(long.json)).toContain('timeout 9000s is over');
    expect(h.errorOf(long.json)).toContain('maxTimeoutSec=7200s');
    const local = await create({ name: 'local-machine', target: 'local', machine: { spot: true } });
    expect(local.status).toBe(400);
    expect(h.errorOf(local.json)).toContain('need a cloud profile');
    // Any profile's timeout limit counts, and machine overrides are for clouds only.
    const slurm = await h.api('POST', '/api/compute/profiles', {
      name: 'cluster',
      kind: 'slurm',
      settings: { partition: 'gpu', maxTimeoutSec: 600 },
    });
    expect(slurm.status).toBe(201);
    const slurmLong = await create({ name: 'slurm-long', target: 'cluster', timeoutSec: 3600 });
    expect(slurmLong.status).toBe(400);
    expect(h.errorOf(slurmLong.json)).toContain("profile cluster's limit maxTimeoutSec=600s");
    const slurmMachine = await create({
      name: 'slurm-machine',
      target: 'cluster',
      timeoutSec: 600,
      machine: { type: 'l' },
    });
    expect(h.errorOf(slurmMachine.json)).toContain('apply to cloud profiles only');
    expect((await h.api('DELETE', '/api/compute/profiles/cluster')).status).toBe(204);
    // Names reach cloud API paths and terminals: one word each.
    const odd = await create({ name: 'odd', target: 'gpu', machine: { region: 'us-west-1/../x' } });
    expect(odd.status).toBe(400);
    expect(h.errorOf(odd.json)).toMatch(/region.*may hold letters, digits/);
    const unmapped = await create({ name: 'l-t4', target: 'gpu', machine: { type: 'l', gpu: 't4' } });
    expect(h.errorOf(unmapped.json)).toContain('aws has no size l with GPU t4');
    // Nothing was queued.
    const list = ExperimentList.parse((await h.api('GET', '/api/projects/demo/experiments')).json);
    expect(list.experiments).toEqual([]);
  });
});

describe.skipIf(!existsSync(BUNDLE))('runs on a machine of their own', () => {
  let variantVm = '';

  it('a run with overrides launches a VM of that machine; the row shows the profile and the machine', async () => {
    const r = await create({
      name: 'big-gpu',
      target: 'gpu',
      machine: { type: 'l', gpu: 'k80', spot: true, diskGb: 200 },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const [created] = CreatedExperiments.parse(r.json).experiments;
    expect(created?.target).toBe('gpu');
    expect(created?.machine).toMatchObject({
      type: 'p2.8xlarge',
      region: 'us-west-1',
      diskGb: 200,
      spot: true,
      pricePerHour: 7.2,
      estimate: 7.2,
      timeoutSec: 3600,
    });
    const e = await h.waitFor('big-gpu');
    expect(e.status, e.error ?? '').toBe('succeeded');
    expect(e.target).toBe('gpu');
    expect(e.machine?.type).toBe('p2.8xlarge');
    expect(e.placement).toMatchObject({ target: 'aws', profile: 'gpu' });
    variantVm = e.placement?.id ?? '';
    const vm = sim.instances.get(variantVm);
    expect(vm?.machine).toMatchObject({ type: 'p2.8xlarge', diskGb: 200, spot: true });
    expect(vm?.tags['kiln-profile']).toBe('gpu');
    expect(vm?.tags['kiln-machine']).toMatch(/^[0-9a-f]{8}$/);
  }, 240_000);

  it("a run with the profile's machine does not take that VM but one of the default machine", async () => {
    expect((await create({ name: 'plain', target: 'gpu' })).status).toBe(201);
    const e = await h.waitFor('plain');
    expect(e.status, e.error ?? '').toBe('succeeded');
    expect(e.target).toBe('gpu');
    expect(e.machine).toMatchObject({ type: 'm5.2xlarge', spot: false, diskGb: 35 });
    expect(e.placement?.id).not.toBe(variantVm);
    const vm = sim.instances.get(e.placement?.id ?? '');
    expect(vm?.machine).toMatchObject({ type: 'm5.2xlarge', spot: false });
    expect(vm?.tags['kiln-machine']).toBeUndefined();
    // The variant's VM is still there, idle, waiting for a run of its machine.
    expect(sim.instances.get(variantVm)?.state).toBe('running');
    const list = ExperimentList.parse((await h.api('GET', '/api/projects/demo/experiments')).json);
    expect(list.experiments.map((x) => x.target)).toEqual(['gpu', 'gpu']);
  }, 240_000);

  it("kiln exp run --target P --type l --spot: a third machine waits for the profile's maxInstances, then runs", async () => {
    const running = () => [...sim.instances.values()].filter((i) => i.state === 'running');
    expect(running()).toHaveLength(2);
    const cli = kiln([
      'exp',
      'run',
      'demo',
      '--rev',
      'main',
      '--name',
      'cli-l',
      '--target',
      'gpu',
      '--type',
      'l',
      '--spot',
      '--timeout',
      '1800',
      '--follow',
    ]);
    // Two idle VMs of other machines fill the profile's maxInstances: the row says why it waits.
    await expect
      .poll(async () => (await h.api('GET', '/api/projects/demo/experiments/cli-l')).status, {
        timeout: 60_000,
      })
      .toBe(200);
    const waiting = await h.waitFor('cli-l', (x) => (x.error ?? '').includes('maxInstances'), 60_000);
    expect(waiting.status).toBe('queued');
    // The note names the profile the user chose, not the variant behind it.
    expect(waiting.error).toMatch(/machine could be started for gpu: /);
    expect(running()).toHaveLength(2);
    // One idle VM ends (its idle timeout): the run gets its own machine.
    await sim.terminate(variantVm);
    const r = await cli;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('kiln: queued cli-l from');
    expect(r.stderr).toContain('on gpu');
    expect(r.stderr).toContain(
      'machine aws m5.8xlarge in us-west-1, 35 GB disk, spot; $1.536/h on demand, about $0.768 for the 30min timeout',
    );
    expect(r.stderr).toContain('cli-l succeeded');
    const vm = [...sim.instances.values()].find((i) => i.machine.type === 'm5.8xlarge');
    expect(vm?.machine.spot).toBe(true);
    const list = await kiln(['exp', 'list', 'demo', '--json']);
    const rows = (JSON.parse(list.stdout) as Experiment[]).map((x) => [x.name, x.target, x.machine?.type]);
    expect(rows).toContainEqual(['cli-l', 'gpu', 'm5.8xlarge']);
  }, 300_000);

  it('removing the profile ends the VMs of every machine of it, and forgets them', async () => {
    const targets = h.server.runs.targets;
    const machines = (await h.server.store.agents.machineTargets()).map((m) => m.name);
    expect(machines.filter((k) => k.startsWith('gpu~'))).toHaveLength(2);
    expect((await h.api('DELETE', '/api/compute/profiles/gpu')).status).toBe(204);
    await targets.reconcile();
    expect([...sim.instances.values()].filter((i) => i.state === 'running')).toEqual([]);
    await expect
      .poll(async () => (await targets.reconcile(), await h.server.store.agents.machineTargets()))
      .toEqual([]);
  }, 60_000);
});

// Last: it leaves a profile and queued runs behind.
describe('run again', () => {
  it('run again asks for the same machine, a GPU taken off the profile’s staying off', async () => {
    const t4 = await h.api('POST', '/api/compute/profiles', {
      name: 'gpu-t4',
      kind: 'aws',
      settings: {
        credential: 'aws-key',
        image: 'ami-0123456789abcdef0',
        type: 'm',
        gpu: 't4',
        maxTimeoutSec: 7200,
      },
    });
    expect(t4.status, JSON.stringify(t4.json)).toBe(201);
    const first = await create({ name: 'no-gpu', target: 'gpu-t4', machine: { gpu: 'none' } });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(CreatedExperiments.parse(first.json).experiments[0]?.machine?.type).toBe('m5.2xlarge');
    await h.api('POST', '/api/projects/demo/experiments/no-gpu/cancel');
    const again = await h.api('POST', '/api/projects/demo/experiments/no-gpu/run-again', {
      name: 'no-gpu-2',
    });
    expect(again.status, JSON.stringify(again.json)).toBe(201);
    const [rerun] = CreatedExperiments.parse(again.json).experiments;
    await h.api('POST', '/api/projects/demo/experiments/no-gpu-2/cancel');
    expect(rerun?.target).toBe('gpu-t4');
    expect(rerun?.machine?.type).toBe('m5.2xlarge');
  });
});
