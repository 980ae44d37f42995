/**
 * The dispatch bench's simulated agents: each long-polls `claim` and, on a job, holds it for
 * `holdMs` on average (0: not at all) before reporting a result, as a run would.
 */
import { performance } from 'node:perf_hooks';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentReply, type AgentMessage } from '../src/contracts/agent.js';

export interface AgentsInput {
  url: string;
  token: string;
  agentIds: string[];
  jobs: number;
  holdMs: number;
}

export interface AgentsOutput {
  /** Latency of every claim that got a job, except each agent's first. */
  claims: number[];
  /** Latency of each agent's first claim: all of them sent at once. */
  burst: number[];
  dispatched: number;
  /** Seconds from the first claim sent to the last job handed out. */
  wallSec: number;
  /**
   * This process's CPU time (server and agents) per job handed out, over the same span: less
   * swayed than the latencies by other work on a shared machine.
   */
  cpuMsPerJob: number;
}

export async function runAgents(input: AgentsInput): Promise<AgentsOutput> {
  const send = async (msg: AgentMessage) => {
    const res = await fetch(`${input.url}/api/agent`, {
      method: 'POST',
      headers: { authorization: `token ${input.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(msg),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`/api/agent: ${res.status} ${text}`);
    return AgentReply.parse(JSON.parse(text));
  };
  const claims: number[] = [];
  const burst: number[] = [];
  let t1 = 0;
  let dispatched = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let cpu = { user: 0, system: 0 };
  await Promise.all(
    input.agentIds.map(async (agentId) => {
      let first = true;
      while (dispatched < input.jobs) {
        const c0 = performance.now();
        const r = await send({ type: 'claim', agentId, waitMs: 2000 });
        if (r.type !== 'job') continue;
        // Steady state: the first claim of each agent is the start-up burst of all at once.
        (first ? burst : claims).push(performance.now() - c0);
        first = false;
        if (++dispatched === input.jobs) {
          t1 = performance.now();
          cpu = process.cpuUsage(cpu0);
        }
        // Runs differ in length: a fixed hold would keep the agents started together in step.
        if (input.holdMs > 0) await sleep(input.holdMs * (0.5 + Math.random()));
        await send({
          type: 'result',
          agentId,
          jobId: r.job.jobId,
          outcome: { status: 'failed', exitCode: 1, error: 'bench' },
        });
      }
    }),
  );
  return {
    claims,
    burst,
    dispatched,
    wallSec: (t1 - t0) / 1000,
    cpuMsPerJob: (cpu.user + cpu.system) / 1000 / dispatched,
  };
}

/**
 * Runs the agents in a child process, as real agents run on other machines: their HTTP client
 * work then does not share the server's event loop, and `cpuMsPerJob` is the server's alone.
 */
export async function runAgentsApart(input: AgentsInput): Promise<AgentsOutput> {
  const cpu0 = process.cpuUsage();
  // fork passes on tsx's loader flags (process.execArgv), so the child runs this TypeScript file.
  const child = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const out = await new Promise<AgentsOutput>((resolve, reject) => {
    child.once('message', (m) => resolve(m as AgentsOutput));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the agents' process exited with ${String(code)}`)));
    child.send(input);
  });
  child.kill();
  const cpu = process.cpuUsage(cpu0);
  return { ...out, cpuMsPerJob: (cpu.user + cpu.system) / 1000 / out.dispatched };
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (input) => {
    void runAgents(input as AgentsInput).then((out) => process.send?.(out));
  });
}
