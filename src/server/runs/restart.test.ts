import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Experiment, LogPage } from '../../contracts/experiments.js';

const here = path.dirname(new URL(import.meta.url).pathname);
let home = '';
let child: ChildProcess | null = null;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function startChild(port: number): Promise<string> {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, '../../../test/serve-child.ts'), home, String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child?.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child?.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

afterAll(async () => {
  child?.kill('SIGKILL');
  const dir = path.join(home, 'agents');
  for (const f of await readdir(dir).catch(() => [])) {
    if (!f.endsWith('.pid')) continue;
    try {
      process.kill(Number(await readFile(path.join(dir, f), 'utf8')), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (home) await rm(home, { recursive: true, force: true });
});

describe('a server killed mid-run', () => {
  it('finishes the run after a restart with its whole log, every line once', async () => {
    home = await mkdtemp(path.join(tmpdir(), 'kiln-restart-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let token = await startChild(port);
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(url + p, {
        method,
        headers: { authorization: `token ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return res.json() as Promise<unknown>;
    };
    const get = async () => Experiment.parse(await api('GET', '/api/projects/demo/experiments/survivor'));
    for (let i = 0; i < 1500; i++) {
      const r = await api('GET', '/api/projects/demo').catch(() => null);
      if (JSON.stringify(r).includes('"state":"ok"')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await api('POST', '/api/projects/demo/experiments', {
      rev: 'main',
      name: 'survivor',
      script: 'for i in $(seq 1 60); do echo "line $i"; sleep 0.1; done\n',
    });
    for (let e = await get(); !(e.status === 'running' && e.logSeq >= 3); e = await get())
      await new Promise((r) => setTimeout(r, 100));

    child?.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    token = await startChild(port);

    let done = await get();
    for (let i = 0; i < 1500 && !['succeeded', 'failed', 'lost', 'cancelled'].includes(done.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      done = await get();
    }
    const page = LogPage.parse(await api('GET', '/api/projects/demo/experiments/survivor/logs'));
    const lines = page.chunks
      .filter((c) => c.stream === 'stdout')
      .map((c) => c.text)
      .join('')
      .trim()
      .split('\n');
    expect(done.status).toBe('succeeded');
    expect(lines).toEqual(Array.from({ length: 60 }, (_, i) => `line ${i + 1}`));
    expect(page.chunks.map((c) => c.seq)).toEqual(page.chunks.map((_, i) => i + 1));
  }, 420_000);
});
