import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Experiment } from '../contracts/experiments.js';
import { git } from '../git/run-git.js';

const serveChild = path.resolve(import.meta.dirname, '../../test/serve-child.ts');
let home = '';
let server: ChildProcess | null = null;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The server's local agents: pid and what each wrote. */
async function agents(): Promise<Array<{ pid: number; log: string }>> {
  const dir = path.join(home, 'agents');
  const out = [];
  for (const f of await readdir(dir).catch(() => [])) {
    if (!f.endsWith('.pid')) continue;
    const pid = Number(await readFile(path.join(dir, f), 'utf8'));
    const log = await readFile(path.join(dir, f.replace(/\.pid$/, '.log')), 'utf8').catch(() => '');
    out.push({ pid, log });
  }
  return out;
}

async function until<T>(
  what: string,
  f: () => Promise<T | null | undefined | false>,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(async () => {
  server?.kill('SIGKILL');
  for (const a of await agents()) if (alive(a.pid)) process.kill(a.pid, 'SIGKILL');
  if (home) await rm(home, { recursive: true, force: true });
});

describe('local agents of a server that was killed and stays away', () => {
  it('exit after the grace period: the idle one at once, the busy one after its job, its result kept', async () => {
    home = await mkdtemp(path.join(tmpdir(), 'kiln-grace-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // The server's agents inherit the grace period: 4 s instead of the default 10 minutes.
    server = spawn(process.execPath, ['--import', 'tsx', serveChild, home, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, KILN_SERVER_GRACE: '4' },
    });
    const token = await new Promise<string>((resolve, reject) => {
      let out = '';
      server?.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /READY (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      server?.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(url + p, {
        method,
        headers: { authorization: `token ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return res.json() as Promise<unknown>;
    };
    await until(
      'the demo fetched',
      async () =>
        JSON.stringify(await api('GET', '/api/projects/demo').catch(() => null)).includes('"state":"ok"'),
      150_000,
    );
    await api('POST', '/api/projects/demo/experiments', {
      rev: 'main',
      name: 'outlives',
      script: 'echo started; sleep 8; echo finished > outlives.txt\n',
    });
    await until(
      'the run running',
      async () =>
        Experiment.parse(await api('GET', '/api/projects/demo/experiments/outlives')).status === 'running',
      120_000,
    );
    // Two local agents (the default concurrency): one runs the job, one waits for work.
    const [busy, idle] = await until(
      'a busy and an idle agent',
      async () => {
        const all = await agents();
        const b = all.find((a) => a.log.includes('running demo/outlives'));
        const i = all.find((a) => a !== b && a.log.includes('connected'));
        return b && i ? [b, i] : null;
      },
      30_000,
    );
    server.kill('SIGKILL');
    const killedAt = Date.now();
    await until('the idle agent to exit', async () => !alive(idle.pid), 20_000);
    const idleExit = (Date.now() - killedAt) / 1000;
    // The job goes on to its end (8 s), its result is committed, then the agent gives up.
    await until('the busy agent to exit', async () => !alive(busy.pid), 40_000);
    const busyExit = (Date.now() - killedAt) / 1000;
    console.log(
      `server grace 4 s: idle agent exited ${idleExit.toFixed(1)} s, busy one ${busyExit.toFixed(1)} s after the kill`,
    );
    expect(idleExit).toBeGreaterThanOrEqual(4);
    const idleLog = (await agents()).find((a) => a.pid === idle.pid)?.log ?? '';
    expect(idleLog).toMatch(/unreachable for \d+ s \(grace period 4 s\): leaving/);
    const busyLog = (await agents()).find((a) => a.pid === busy.pid)?.log ?? '';
    const kept =
      /could not deliver the result of demo\/outlives \(succeeded ([0-9a-f]{40})\).*kept at (\S+)/.exec(
        busyLog,
      );
    expect(kept, busyLog).not.toBeNull();
    // The result is in the server's mirror (the local agent pushed it there) and in the kept workspace.
    const [, sha = '', dir = ''] = kept ?? [];
    const mirror = path.join(home, 'repos', 'demo.git');
    expect((await git(['cat-file', '-t', sha], { cwd: mirror })).trim()).toBe('commit');
    expect((await git(['show', `${sha}:outlives.txt`], { cwd: dir })).trim()).toBe('finished');
    // Not waiting long past the job's end (8 s) and the grace period (4 s).
    expect(busyExit).toBeLessThan(30);
  }, 300_000);
});
