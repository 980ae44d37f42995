import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogPage } from '../../contracts/experiments.js';
import {
  agentBundle,
  bubblewrap,
  missing,
  requires,
  SLURM_CONF,
  slurm,
  SSH_KEY,
  sshd,
} from '../../../test/services.js';
import { startRunServer } from '../../../test/test-harness.js';
import {
  hostileResults,
  hostileScript,
  pidsWith,
  VICTIM_SCRIPT,
  type HostileTargets,
} from '../../../test/security-harness.js';

// Hostile training code on each real target (the local sandbox, the sshd at 127.0.0.1:2222, the
// single-node Slurm): it tries to take over the agent and the server, and every attempt must fail.
const hasSsh = missing(sshd, agentBundle, bubblewrap) === null;
const hasSlurm = missing(slurm, agentBundle, bubblewrap) === null;
const SSH_WORK = `.kiln-hostile-${process.pid}`;

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
        workDir: SSH_WORK,
        agentsPerHost: 2,
        maxInstances: 2,
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

async function logText(name: string): Promise<string> {
  const page = LogPage.parse((await h.api('GET', `/api/projects/demo/experiments/${name}/logs`)).json);
  return page.chunks.map((c) => c.text).join('');
}

async function start(name: string, target: string, script: string): Promise<void> {
  const r = await h.api('POST', '/api/projects/demo/experiments', { rev: 'main', name, target, script });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
}

/** Runs a victim, then a hostile job beside it on `target`; returns the hostile job's findings. */
async function attack(
  kind: string,
  target: string,
  where: (victimDir: string) => Omit<HostileTargets, 'victimFile' | 'secretKey' | 'database' | 'pushRef'>,
): Promise<Record<string, boolean>> {
  const victim = `victim-${target}`;
  await start(victim, target, VICTIM_SCRIPT);
  await h.waitFor(victim, (e) => e.status === 'running', 180_000);
  let victimDir = '';
  for (let i = 0; i < 600 && !victimDir; i++) {
    victimDir = /VICTIM_AT=(\S+)/.exec(await logText(victim))?.[1] ?? '';
    if (!victimDir) await new Promise((r) => setTimeout(r, 100));
  }
  expect(victimDir).not.toBe('');
  const targets: HostileTargets = {
    ...where(victimDir),
    victimFile: path.join(victimDir, 'victim-marker'),
    secretKey: path.join(h.home, 'secret.key'),
    database: path.join(h.home, 'kiln.db'),
    // Its run token may push its own experiment ref only (git-http.ts): never over main.
    pushRef: 'refs/heads/main',
  };
  // The attacks must aim at something real: every file and agent named exists outside the job.
  expect(existsSync(targets.victimFile)).toBe(true);
  expect(existsSync(targets.secretKey) && existsSync(targets.database)).toBe(true);
  expect(targets.agentPids.length).toBeGreaterThan(0);
  const hostile = `hostile-${target}`;
  await start(hostile, target, hostileScript(process.execPath, targets));
  const e = await h.waitFor(hostile, undefined, 180_000);
  const log = await logText(hostile);
  expect(e.status, log).toBe('succeeded');
  const found = hostileResults(log, targets);
  expect(found, log).not.toBeNull();
  const results = found ?? {};
  const won = Object.entries(results).filter(([, v]) => v);
  console.log(
    `hostile job on ${kind}: ${won.length}/${Object.keys(results).length} attacks succeeded` +
      (won.length ? ` (${won.map(([k]) => k).join(', ')})` : ''),
  );
  expect(log).toContain('jobs run in a bubblewrap sandbox');
  // The victim ran on undisturbed and its agent is still there. A Slurm agent lives as long as its
  // job (the hostile job's own may be gone by now): there, the victim's agent must be; elsewhere all.
  const alive = targets.agentPids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  if (kind === 'slurm') expect(alive.length).toBeGreaterThan(0);
  else expect(alive).toEqual(targets.agentPids);
  expect((await h.api('GET', `/api/projects/demo/experiments/${victim}`)).json).toMatchObject({
    status: 'running',
  });
  expect((await h.api('POST', `/api/projects/demo/experiments/${victim}/cancel`)).status).toBe(200);
  expect((await h.waitFor(victim)).status).toBe('cancelled');
  return results;
}

function expectAllRefused(results: Record<string, boolean>): void {
  expect(Object.keys(results).length).toBeGreaterThanOrEqual(9);
  expect(Object.entries(results).filter(([, v]) => v)).toEqual([]);
}

describe('security: hostile jobs', () => {
  it('local: a job cannot read the agent token, the secret key, the database or another run, nor signal its agent', async (ctx) => {
    requires(ctx, bubblewrap);
    const results = await attack('local', 'local', () => {
      const agents = path.join(h.home, 'agents');
      const pids = readdirSync(agents)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => Number(readFileSync(path.join(agents, f), 'utf8')));
      return { agentDirs: [agents, h.home], agentPids: pids, writeDirs: [h.home, homedir()] };
    });
    expectAllRefused(results);
  }, 300_000);

  it('ssh: a job cannot read its agent token or another run, nor signal its agent', async (ctx) => {
    requires(ctx, sshd, agentBundle, bubblewrap);
    const dir = path.join(homedir(), SSH_WORK);
    const results = await attack('ssh', 'box', () => ({
      agentDirs: [dir],
      agentPids: pidsWith('agent.mjs', '--url', dir),
      writeDirs: [dir, homedir()],
    }));
    expectAllRefused(results);
  }, 300_000);

  it('slurm: a job cannot read its agent token or another run, nor signal its agent', async (ctx) => {
    requires(ctx, slurm, agentBundle, bubblewrap);
    const dir = path.join(h.home, 'slurm', 'cluster');
    const results = await attack('slurm', 'cluster', () => ({
      agentDirs: [dir],
      agentPids: pidsWith('agent.mjs', '--url', dir),
      writeDirs: [dir, homedir()],
    }));
    expectAllRefused(results);
  }, 300_000);
});
