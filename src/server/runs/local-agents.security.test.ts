import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCompute } from '../../contracts/compute.js';
import { Experiment } from '../../contracts/experiments.js';
import { startServer, type RunningServer } from '../app.js';
import { pidsWith } from '../../../test/security-harness.js';
import { bubblewrap, requires } from '../../../test/services.js';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  h = await startRunServer({ 'runs.leaseMs': '3000' });
}, 120_000);
afterAll(async () => {
  delete process.env.KILN_SANDBOX;
  await h?.close();
}, 60_000);

async function run(name: string, script: string): Promise<void> {
  const r = await h.api('POST', '/api/projects/demo/experiments', { rev: 'main', name, script });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
}

/** The token ids of the local agents alive now, as the local backend keeps them beside their pids. */
async function localAgentTokens(): Promise<string[]> {
  const dir = path.join(h.home, 'agents');
  const alive = new Set(await agentPids());
  const out: string[] = [];
  for (const f of await readdir(dir).catch(() => [])) {
    if (!f.endsWith('.pid')) continue;
    const pid = Number(await readFile(path.join(dir, f), 'utf8'));
    const id = await readFile(path.join(dir, f.replace(/\.pid$/, '.token')), 'utf8').catch(() => '');
    if (alive.has(pid) && id) out.push(id);
  }
  return out;
}

async function agentPids(): Promise<number[]> {
  const dir = path.join(h.home, 'agents');
  const out: number[] = [];
  for (const f of await readdir(dir).catch(() => []))
    if (f.endsWith('.pid')) out.push(Number(await readFile(path.join(dir, f), 'utf8')));
  return out.filter((p) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  });
}

const post = async (token: string, body: unknown) => {
  const res = await fetch(`${h.server.url}/api/agent`, {
    method: 'POST',
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
};

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('security: local agents', () => {
  it('each local agent has its own token, and only that token may speak for its agent id and jobs', async () => {
    await run('held', 'sleep 8\n');
    await h.waitFor('held', (e) => e.status === 'running');
    await until('both agents are up', async () => (await agentPids()).length === 2);
    expect(new Set(await localAgentTokens()).size).toBe(2);
    const [job] = await h.server.store.experiments.claimed();
    expect(job?.agentId).toBeTruthy();
    const agentId = job?.agentId ?? '';
    const jobId = job?.id ?? '';
    // Any other agent token, e.g. one a job stole or one made for another machine.
    const other = (await h.api('POST', '/api/agents/tokens')).json as { token: string };
    const attempts = [
      { type: 'register', agentId, hostname: 'x', pid: 1, version: 'x', running: [jobId] },
      { type: 'claim', agentId, waitMs: 0 },
      { type: 'heartbeat', agentId, jobId },
      { type: 'log', agentId, jobId, chunks: [{ seq: 1, stream: 'stdout', text: 'forged\n' }] },
      { type: 'result', agentId, jobId, outcome: { status: 'failed', exitCode: 1, error: 'forged' } },
    ];
    let refused = 0;
    for (const a of attempts) {
      const r = await post(other.token, a);
      if (r.status === 403) refused++;
      else console.log(`not refused: ${a.type} → ${r.status} ${r.text}`);
    }
    console.log(
      `agent id taken over with another token: ${attempts.length - refused}/${attempts.length} messages accepted`,
    );
    expect(refused).toBe(attempts.length);
    const e = await h.waitFor('held', undefined, 60_000);
    expect(e.status).toBe('succeeded');
  }, 120_000);

  it('a revoked local agent token ends that agent only: the server starts one with a new token and runs go on', async () => {
    const before = await localAgentTokens();
    const { user } = await h.server.store.ensureAdmin();
    for (const id of before) await h.server.store.revokeToken(id, user.id);
    await run('after-revoke', 'echo fine\n');
    const e = await h.waitFor('after-revoke', undefined, 120_000);
    expect(e.status).toBe('succeeded');
    const after = await localAgentTokens();
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((t) => before.includes(t))).toEqual([]);
  }, 180_000);

  for (const sandbox of ['bwrap', 'off'] as const)
    it(`an agent killed takes its job with it (sandbox ${sandbox}), and the run is lost`, async (ctx) => {
      if (sandbox === 'bwrap') requires(ctx, bubblewrap);
      if (sandbox === 'off') process.env.KILN_SANDBOX = 'off';
      // The compute API (and the Settings page from it) says in words whether jobs are sandboxed.
      const local = LocalCompute.parse((await h.api('GET', '/api/compute/local')).json);
      expect(local.isolation).toMatchObject(
        sandbox === 'off'
          ? { sandboxed: false, detail: expect.stringContaining('jobs are not sandboxed (KILN_SANDBOX=off)') }
          : { sandboxed: true, detail: expect.stringContaining('bubblewrap sandbox') },
      );
      // Agents started before this point keep the setting they started with.
      for (const p of await agentPids()) process.kill(p, 'SIGTERM');
      await until('the agents are gone', async () => (await agentPids()).length === 0);
      const marker = sandbox === 'off' ? '3142' : '3141';
      const name = `killed-${sandbox}`;
      await run(name, `sleep ${marker}\n`);
      await h.waitFor(name, (e) => e.status === 'running');
      await until('the job runs', () => pidsWith('sleep', marker).length > 0);
      for (const p of await agentPids()) process.kill(p, 'SIGKILL');
      await until('the job is gone', () => pidsWith('sleep', marker).length === 0, 10_000);
      const e = await h.waitFor(name, undefined, 30_000);
      expect(e.status).toBe('lost');
      delete process.env.KILN_SANDBOX;
    }, 120_000);
});

describe('security: queued runs say why they wait', () => {
  let home = '';
  let server: RunningServer | null = null;
  afterAll(async () => {
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('an agent that cannot start (refused by the server) is reported on the queued run', async () => {
    home = await mkdtemp(path.join(tmpdir(), 'kiln-agent-fails-'));
    server = await startServer(
      {
        home,
        port: 0,
        host: '127.0.0.1',
        fetchIntervalSec: 0,
        createDemo: true,
        agentCommand: [
          'bash',
          '-c',
          'echo "kiln agent: server refused register: HTTP 401 bad token"; exit 1',
        ],
      },
      () => undefined,
    );
    const { user } = await server.store.ensureAdmin();
    const token = (await server.auth.createToken(user.id, 't', 'user')).token;
    const api = (method: string, url: string, body?: unknown) =>
      fetch(server?.url + url, {
        method,
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as unknown }));
    await until(
      'the demo is ready',
      async () => (await server?.projects.get('demo').catch(() => null))?.fetch.state === 'ok',
      120_000,
    );
    const name = `waits-${randomUUID().slice(0, 6)}`;
    expect((await api('POST', '/api/projects/demo/experiments', { rev: 'main', name })).status).toBe(201);
    let e: Experiment | null = null;
    await until('the queued run says why', async () => {
      e = Experiment.parse((await api('GET', `/api/projects/demo/experiments/${name}`)).json);
      return e.error !== null;
    });
    expect(e).toMatchObject({ status: 'queued' });
    expect((e as Experiment | null)?.error).toMatch(
      /waiting: .*local agent stopped right after starting \(server refused register: HTTP 401 bad token\)/,
    );
  }, 180_000);
});
