import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Experiment, LogPage, isFinished } from '../../contracts/experiments.js';
import { PlotsResponse } from '../../contracts/live.js';

/*
 * Fault injection with real processes: the server (`serve-child.ts`, a 5 s lease) is SIGKILLed
 * while one run is running and another is queued, then started again on the same data dir and
 * port; later an agent is SIGKILLed while its job runs. What a user would see is checked: every
 * log line and live point once, the queued run run, the orphaned job gone and its run `lost`
 * with the reason.
 */
const here = path.dirname(new URL(import.meta.url).pathname);
let home = '';
let port = 0;
let child: ChildProcess | null = null;
let token = '';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function startServer(): Promise<string> {
  const c = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, '../../../test/serve-child.ts'), home, String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  child = c;
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    c.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function killServer(): Promise<void> {
  const c = child;
  if (!c || c.exitCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await gone;
}

const api = async (method: string, p: string, body?: unknown): Promise<unknown> => {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, {
    method,
    headers: { authorization: `token ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json();
};
const get = async (name: string) =>
  Experiment.parse(await api('GET', `/api/projects/demo/experiments/${name}`));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 180_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 300)}`);
    await sleep(100);
  }
}
const logLines = async (name: string) => {
  const page = LogPage.parse(await api('GET', `/api/projects/demo/experiments/${name}/logs`));
  const lines = page.chunks
    .filter((c) => c.stream === 'stdout')
    .map((c) => c.text)
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('line '));
  return { lines, seqs: page.chunks.map((c) => c.seq) };
};
const liveSteps = async (name: string): Promise<number[]> => {
  // Before its first point the run has no live plots: a 404 with the reason.
  const r = PlotsResponse.safeParse(await api('GET', `/api/projects/demo/plots?exp=${name}`));
  const s = r.data?.sources[0]?.series.find((x) => x.path === 'dvclive/plots/metrics/fault.tsv');
  return s?.rows.map((x) => Number(x.step)) ?? [];
};
const agentPids = async (): Promise<number[]> => {
  const dir = path.join(home, 'agents');
  const out: number[] = [];
  for (const f of await readdir(dir).catch(() => []))
    if (f.endsWith('.pid')) out.push(Number((await readFile(path.join(dir, f), 'utf8')).trim()));
  return out.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
};
/** Processes on this machine whose command line is exactly `sleep <marker>` (the job's). */
const jobProcesses = (marker: string): number =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() === `sleep ${marker}`).length;

// 40 lines and 40 DVCLive steps over ~10 s: long enough to kill the server in the middle.
const STEPS = 40;
const TRAIN = `mkdir -p dvclive/plots/metrics
printf 'step\\tloss\\n' > dvclive/plots/metrics/fault.tsv
for i in $(seq 1 ${STEPS}); do
  echo "line $i"
  printf '%d\\t%d\\n' "$i" "$((1000 - i))" >> dvclive/plots/metrics/fault.tsv
  sleep 0.25
done
`;

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'kiln-faults-'));
  port = await freePort();
  token = await startServer();
  await until(
    'the demo project',
    () => api('GET', '/api/projects/demo').catch(() => null),
    (r) => JSON.stringify(r).includes('"state":"ok"'),
  );
  // One run at a time: the second run waits in the queue while the server is killed.
  await api('PUT', '/api/compute/local', { concurrency: 1 });
}, 240_000);

afterAll(async () => {
  await killServer();
  for (const pid of await agentPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (home) await rm(home, { recursive: true, force: true });
});

it('server SIGKILLed mid-run and mid-queue: both runs finish after the restart, every line and point once', async () => {
  await api('POST', '/api/projects/demo/experiments', { rev: 'main', name: 'mid-run', script: TRAIN });
  await api('POST', '/api/projects/demo/experiments', { rev: 'main', name: 'mid-queue', script: TRAIN });
  await until(
    'mid-run to log and report live points',
    async () => ({ e: await get('mid-run'), steps: await liveSteps('mid-run') }),
    (v) => v.e.status === 'running' && v.e.logSeq >= 3 && v.steps.length >= 3,
  );
  expect((await get('mid-queue')).status).toBe('queued');

  await killServer();
  await sleep(1500);
  token = await startServer();

  const a = await until(
    'mid-run to end',
    () => get('mid-run'),
    (e) => isFinished(e.status),
  );
  const b = await until(
    'mid-queue to end',
    () => get('mid-queue'),
    (e) => isFinished(e.status),
  );
  const want = Array.from({ length: STEPS }, (_, i) => `line ${i + 1}`);
  const steps = Array.from({ length: STEPS }, (_, i) => i + 1);
  let lost = 0;
  let doubled = 0;
  for (const [e, name] of [
    [a, 'mid-run'],
    [b, 'mid-queue'],
  ] as const) {
    const { lines, seqs } = await logLines(name);
    const live = await liveSteps(name);
    lost += want.filter((l) => !lines.includes(l)).length + steps.filter((s) => !live.includes(s)).length;
    doubled += lines.length - new Set(lines).size + (live.length - new Set(live).size);
    expect(e.status, `${name}: ${e.error ?? ''}`).toBe('succeeded');
    expect(lines, name).toEqual(want);
    expect(seqs, name).toEqual(seqs.map((_, i) => i + 1));
    expect(
      [...live].sort((x, y) => x - y),
      name,
    ).toEqual(steps);
  }
  console.log(
    `[security] server SIGKILL mid-run + mid-queue: 2/2 runs succeeded after restart; log lines and live points lost ${lost}, doubled ${doubled} (of ${2 * 2 * STEPS})`,
  );
  expect(lost + doubled).toBe(0);
}, 420_000);

it('agent SIGKILLed mid-run: its job is gone, the run is lost with the reason within the lease', async () => {
  const marker = `${Date.now() % 100000}.${process.pid}`;
  await api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'orphan',
    script: `for i in $(seq 1 100); do echo "line $i"; sleep 0.1; done\nsleep ${marker}\n`,
  });
  await until(
    'the job to sleep',
    async () => jobProcesses(marker),
    (n) => n === 1,
  );
  const before = await get('orphan');
  expect(before.status).toBe('running');

  const killedAt = Date.now();
  for (const pid of await agentPids()) process.kill(pid, 'SIGKILL');
  await until(
    'the job to die with its agent',
    async () => jobProcesses(marker),
    (n) => n === 0,
    10_000,
  );
  const jobGoneMs = Date.now() - killedAt;
  const e = await until(
    'the run to be lost',
    () => get('orphan'),
    (x) => isFinished(x.status),
    30_000,
  );
  const lostMs = Date.now() - killedAt;
  const { lines, seqs } = await logLines('orphan');
  console.log(
    `[security] agent SIGKILL mid-run: job gone after ${jobGoneMs} ms, run ${e.status} after ${lostMs} ms (lease 5000 ms): "${e.error ?? ''}"; ${lines.length} log lines kept, ${lines.length - new Set(lines).size} doubled`,
  );
  expect(e.status).toBe('lost');
  expect(e.error).toMatch(/agent/i);
  // The lease, plus a scheduler tick and this poll.
  expect(lostMs).toBeLessThan(5000 + 3000);
  // What reached the server is whole and once: no gap in sequence, no line twice, in order.
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  expect(lines).toEqual(lines.map((_, i) => `line ${i + 1}`));
  expect(lines.length).toBe(100);
}, 240_000);
