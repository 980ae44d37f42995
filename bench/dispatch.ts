/**
 * Scheduling throughput: 1,000 queued experiments and 100 simulated agents speaking the real agent
 * protocol over HTTP to a real server (SQLite). Each agent long-polls `claim`, and on a job reports
 * a result (at once, or after holding it: see PACED_HOLD_MS), so the figure is the scheduler's own
 * cost per dispatch: claim → job spec (run token, workspace spec) → result → slot free. The local
 * backend's own agents are replaced by processes that never connect, so only the simulated
 * agents claim.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentReply, type AgentMessage } from '../src/contracts/agent.js';
import { CreatedExperiments } from '../src/contracts/experiments.js';
import { startServer } from '../src/server/app.js';
import { runAgentsApart } from './dispatch-agents.js';
import { percentile, round, type BenchResult } from './result.js';

const QUEUED = 1000;
const AGENTS = 100;

/**
 * Each agent holds a job this long in the paced round: 100 agents then offer about 200
 * dispatches a second, the target rate, and the claim latency is the scheduler's at that
 * rate. In the saturated round agents hold nothing: with no time between a result and the next
 * claim, every agent always waits on the server, and a claim waits about AGENTS / (2 × rate).
 */
const PACED_HOLD_MS = 450;

/** Two rounds on fresh servers: saturated (`dispatch.*`), then paced (`dispatch.paced_*`). */
export async function benchDispatch(): Promise<BenchResult[]> {
  return [...(await oneRound(0)), ...(await oneRound(PACED_HOLD_MS))];
}

async function oneRound(holdMs: number): Promise<BenchResult[]> {
  const home = await mkdtemp(path.join(tmpdir(), 'kiln-bench-dispatch-'));
  const server = await startServer(
    {
      home,
      port: 0,
      host: '127.0.0.1',
      fetchIntervalSec: 0,
      createDemo: true,
      // Stand-ins that never register: only the simulated agents below take jobs.
      agentCommand: ['bash', '-c', 'exec sleep 900'],
    },
    () => undefined,
  );
  try {
    await server.store.setSetting('compute.local.concurrency', String(AGENTS));
    const { user } = await server.store.ensureAdmin();
    const userToken = (await server.auth.createToken(user.id, 'bench', 'user')).token;
    const agentToken = (await server.auth.createToken(user.id, 'bench agents', 'agent')).token;
    const post = async (url: string, token: string, body: unknown): Promise<unknown> => {
      const res = await fetch(server.url + url, {
        method: 'POST',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`);
      return JSON.parse(text);
    };
    for (let i = 0; i < 600; i++) {
      const p = await server.projects.get('demo').catch(() => null);
      if (p?.fetch.state === 'ok') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const created = CreatedExperiments.parse(
      await post('/api/projects/demo/experiments', userToken, {
        rev: 'main',
        name: 'dispatch',
        set: [`train.seed=range(0,${QUEUED})`],
        script: 'echo run\n',
      }),
    );
    if (created.experiments.length !== QUEUED) throw new Error(`queued ${created.experiments.length}`);

    const send = async (msg: AgentMessage) => AgentReply.parse(await post('/api/agent', agentToken, msg));
    const ids: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const r = await send({
        type: 'register',
        hostname: `sim-${i}`,
        pid: 100_000 + i,
        version: 'bench',
        running: [],
      });
      if (r.type !== 'registered') throw new Error(`register: ${r.type}`);
      ids.push(r.agentId);
    }

    // The local backend's stand-ins are all up before the clock starts (each has a .log and a .pid).
    for (let i = 0; i < 600; i++) {
      const n = (await readdir(path.join(home, 'agents')).catch(() => [])).filter((f) => f.endsWith('.pid'));
      if (n.length >= AGENTS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const { claims, burst, dispatched, wallSec, cpuMsPerJob } = await runAgentsApart({
      url: server.url,
      token: agentToken,
      agentIds: ids,
      jobs: QUEUED,
      holdMs,
    });
    const p = holdMs > 0 ? 'dispatch.paced_' : 'dispatch.';
    return [
      { name: `${p}rate`, value: round(dispatched / wallSec, 1), unit: 'dispatches/s' },
      { name: `${p}claim_p50`, value: round(percentile(claims, 50), 1), unit: 'ms' },
      { name: `${p}claim_p99`, value: round(percentile(claims, 99), 1), unit: 'ms' },
      // The first claims of all agents at once, answered one after another.
      { name: `${p}burst_claim_p50`, value: round(percentile(burst, 50), 1), unit: 'ms' },
      { name: `${p}burst_claim_p99`, value: round(percentile(burst, 99), 1), unit: 'ms' },
      { name: `${p}cpu_per_dispatch`, value: round(cpuMsPerJob, 2), unit: 'ms' },
    ];
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}
