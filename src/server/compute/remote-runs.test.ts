import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TablePage } from '../../contracts/api.js';
import { LogPage, type Experiment } from '../../contracts/experiments.js';
import { startRunServer } from '../../../test/test-harness.js';
import { agentBundle, missing, requires, SLURM_CONF, slurm, SSH_KEY, sshd } from '../../../test/services.js';

const hasSsh = missing(sshd, agentBundle) === null;
const hasSlurm = missing(slurm, agentBundle) === null;
const slurmEnv = { ...process.env, SLURM_CONF };

let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  process.env.SLURM_CONF = SLURM_CONF;
  h = await startRunServer();
  const ok = async (url: string, body: unknown) => {
    const r = await h.api('POST', url, body);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
  };
  if (hasSsh) {
    await ok('/api/compute/credentials', {
      name: 'sshkey',
      secret: { kind: 'ssh', privateKey: readFileSync(SSH_KEY, 'utf8') },
    });
    await ok('/api/compute/profiles', {
      name: 'box',
      kind: 'ssh',
      settings: {
        hosts: ['127.0.0.1:2222'],
        credential: 'sshkey',
        user: 'root',
        node: process.execPath,
        workDir: `.kiln-e2e-${process.pid}`,
        trustAnyHostKey: true,
      },
    });
  }
  if (hasSlurm)
    await ok('/api/compute/profiles', {
      name: 'cluster',
      kind: 'slurm',
      settings: { cpus: 1, timeLimitMin: 10, node: process.execPath, maxInstances: 2 },
    });
}, 120_000);
afterAll(async () => h?.close(), 60_000);

async function run(name: string, target: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await h.api('POST', '/api/projects/demo/experiments', { rev: 'main', name, target, ...extra });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
}

async function logText(name: string): Promise<string> {
  const page = LogPage.parse((await h.api('GET', `/api/projects/demo/experiments/${name}/logs`)).json);
  return page.chunks.map((c) => c.text).join('');
}

async function expectSucceededWithMetrics(e: Experiment): Promise<void> {
  const log = await logText(e.name);
  expect(e.status, log).toBe('succeeded');
  // The demo keeps its data set in a DVC remote: the workspace is prepared as on every target,
  // the inputs pulled before the job, the outputs pushed after it.
  expect(log).toMatch(/kiln: [1-9]\d* file\(s\) fetched, [1-9]\d* path\(s\) checked out/);
  expect(log).toMatch(/kiln: \d+ file\(s\) pushed|kiln: dvc push/);
  expect(e.resultCommit).toMatch(/^[0-9a-f]{40}$/);
  const table = TablePage.parse((await h.api('GET', '/api/projects/demo/table')).json);
  const row = table.rows.find((x) => x.name === e.name);
  expect(row?.status).toBe('succeeded');
  expect(row?.metrics).not.toEqual({});
  // The row says where it ran: the profile's name.
  expect(row?.target).toBe(e.target);
}

function squeue(id: string): string {
  return execFileSync('squeue', ['-h', '-j', id, '-o', '%T'], { env: slurmEnv, encoding: 'utf8' }).trim();
}

describe('runs on remote targets', () => {
  it('refuses an unknown target', async () => {
    const r = await h.api('POST', '/api/projects/demo/experiments', { rev: 'main', target: 'nowhere' });
    expect(r.status).toBe(400);
    expect(h.errorOf(r.json)).toMatch(/no compute target nowhere/);
  });

  it('ssh: the demo project runs on the host over SSH, clones and pushes over HTTP', async (ctx) => {
    requires(ctx, sshd, agentBundle);
    await run('on-ssh', 'box', { set: ['train.lr=0.002'] });
    const e = await h.waitFor('on-ssh');
    await expectSucceededWithMetrics(e);
    expect(e.placement).toMatchObject({ target: 'ssh', profile: 'box', id: '127.0.0.1:2222' });
  }, 240_000);

  it('slurm: the demo project runs as a Slurm job, which ends with the run', async (ctx) => {
    requires(ctx, slurm, agentBundle);
    await run('on-slurm', 'cluster', { set: ['train.lr=0.003'] });
    const e = await h.waitFor('on-slurm');
    await expectSucceededWithMetrics(e);
    expect(e.placement).toMatchObject({ target: 'slurm', profile: 'cluster' });
    const id = e.placement?.id ?? '';
    expect(id).toMatch(/^\d+$/);
    expect(e.placement?.detail).toContain(`Slurm job ${id}`);
    const deadline = Date.now() + 20_000;
    while (squeue(id) !== '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(squeue(id)).toBe('');
  }, 240_000);

  it('slurm: cancel stops the run and scancels its job', async (ctx) => {
    requires(ctx, slurm, agentBundle);
    await run('slurm-cancel', 'cluster', { script: 'echo started; sleep 120\n' });
    const running = await h.waitFor('slurm-cancel', (x) => x.status === 'running', 120_000);
    const id = running.placement?.id ?? '';
    expect(id).toMatch(/^\d+$/);
    expect(squeue(id)).toBe('RUNNING');
    expect((await h.api('POST', '/api/projects/demo/experiments/slurm-cancel/cancel')).status).toBe(200);
    const e = await h.waitFor('slurm-cancel', undefined, 60_000);
    expect(e.status).toBe('cancelled');
    const deadline = Date.now() + 20_000;
    while (squeue(id) !== '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(squeue(id)).toBe('');
  }, 240_000);

  it('slurm: a job killed under its agent makes the run lost, before the lease ends', async (ctx) => {
    requires(ctx, slurm, agentBundle);
    await run('slurm-lost', 'cluster', { script: 'echo started; sleep 120\n' });
    const running = await h.waitFor('slurm-lost', (x) => x.status === 'running', 120_000);
    const id = running.placement?.id ?? '';
    execFileSync('scancel', ['--signal=KILL', '--full', id], { env: slurmEnv });
    const e = await h.waitFor('slurm-lost', undefined, 25_000);
    expect(e.status).toBe('lost');
    expect(e.error).toContain(`Slurm job ${id}`);
  }, 240_000);
});
