import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentReply, JobOutcome, JobSpec, RunState } from '../contracts/agent.js';
import { experimentRef } from '../contracts/experiments.js';
import { type Isolation, sandboxArgv } from '../compute/sandbox.js';
import { type AgentClient, ServerUnreachable } from './client.js';
import { startLiveReporter, type LiveReporter } from './live.js';
import { pushDvcOutputs } from './dvc-push.js';
import { restoreCheckpoint, saveCheckpoint } from './checkpoint.js';
import { watchPreemption } from './preemption.js';
import { LogShipper } from './log-shipper.js';
import { guardWorkspace, prepareWorkspace, saveResults } from './workspace.js';
import { watchAgent } from './watchdog.js';
import { pullDvcInputs } from './dvc-pull.js';

export interface RunContext {
  client: AgentClient;
  agentId: string;
  workRoot: string;
  heartbeatMs: number;
  /** Parent environment for the job (the agent's own token removed). */
  baseEnv: Record<string, string>;
  /** Whether jobs run in a bubblewrap sandbox here (probed once at the agent's start). */
  isolation: Isolation;
  /** Directories the job must not see besides the work root: the data dir, the agent's own dir. */
  hide: readonly string[];
  /** The agent's own log (not the job's). */
  log?: (line: string) => void;
}

/**
 * The kiln CLI next to the agent, so the default script can use `kiln pipeline`; KILN_PIPELINE
 * hints that the built CLI has that command, sparing the script a slow probe when it cannot.
 */
function kilnCliEnv(): Record<string, string> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const cli of [path.resolve(here, '../bin/kiln.js'), path.resolve(here, '../../bin/kiln.js')]) {
    if (!existsSync(cli)) continue;
    const pipeline = path.resolve(path.dirname(cli), '../dist/cli/commands/pipeline.js');
    return { KILN_CLI: cli, ...(existsSync(pipeline) ? { KILN_PIPELINE: '1' } : {}) };
  }
  // The single-file agent (remote targets) runs the pipeline itself: `agent.mjs pipeline run`.
  const self = fileURLToPath(import.meta.url);
  return self.endsWith('.mjs') ? { KILN_CLI: self, KILN_PIPELINE: '1' } : {};
}

/** Runs one job: workspace, script in its own process group, streamed log, results, outcome. */
export async function runJob(
  job: JobSpec,
  ctx: RunContext,
  stopSignal: { stop?: () => void },
): Promise<JobOutcome['status']> {
  const logs = new LogShipper(job.ackedSeq, job.secrets);
  let cancel = false;
  let gone = false;
  /** Set when the provider announced it takes the machine back (spot). */
  let preempted: string | null = null;
  let child: ReturnType<typeof spawn> | null = null;
  const killTree = (sig: NodeJS.Signals) => {
    if (child?.pid) {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group has already exited.
      }
    }
  };
  const onReply = (r: AgentReply) => {
    if (r.type !== 'ack') return;
    logs.ack(r.ackedSeq);
    if ((r.cancel || r.gone) && !cancel) {
      cancel = true;
      gone = r.gone;
      killTree('SIGTERM');
      setTimeout(() => killTree('SIGKILL'), 5000).unref();
    }
  };
  stopSignal.stop = () => onReply({ type: 'ack', ackedSeq: 0, cancel: true, gone: false });
  // A server gone past the grace period does not stop a started job: it finishes, its result kept.
  const send = async (state: RunState) => {
    const r = await ctx.client
      .send({ type: 'state', agentId: ctx.agentId, jobId: job.jobId, state })
      .catch((err: unknown) => {
        if (err instanceof ServerUnreachable) return null;
        throw err;
      });
    if (r) onReply(r);
  };

  let shipping = false;
  const ship = async () => {
    if (shipping) return;
    shipping = true;
    try {
      logs.cut();
      for (let batch = logs.batch(); batch.length; batch = logs.batch()) {
        onReply(
          await ctx.client.send({ type: 'log', agentId: ctx.agentId, jobId: job.jobId, chunks: batch }),
        );
        // No progress means the server is missing an earlier chunk or gave the job up: try later.
        if (logs.batch()[0]?.seq === batch[0]?.seq) break;
      }
    } finally {
      shipping = false;
    }
  };
  const shipTimer = setInterval(() => void ship().catch(() => undefined), 100);
  const beatTimer = setInterval(
    () =>
      void ctx.client
        .send({ type: 'heartbeat', agentId: ctx.agentId, jobId: job.jobId })
        .then(onReply, () => undefined),
    ctx.heartbeatMs,
  );

  const dir = path.join(ctx.workRoot, `${job.experimentId}`);
  const scriptFile = path.join(ctx.workRoot, `${job.experimentId}.sh`);
  let outcome: JobOutcome;
  let timedOut = false;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let live: LiveReporter | null = null;
  let stopWatch: () => void = () => undefined;
  let resultCommit: string | undefined;
  let stopWatchdog: () => void = () => undefined;
  try {
    logs.write('system', `kiln: preparing a workspace at ${job.baseline.slice(0, 7)}\n`);
    const cwd = await prepareWorkspace(job, dir);
    await pullDvcInputs(cwd, { ...ctx.baseEnv, ...job.env }, (st, t) => logs.write(st, t));
    if (job.resumeFrom) {
      const restored = await restoreCheckpoint(job, dir, job.resumeFrom);
      logs.write(
        'system',
        `kiln: resuming from checkpoint ${job.resumeFrom.slice(0, 7)} (${restored.length} file(s) restored)\n`,
      );
    }
    await writeFile(scriptFile, job.changeSet.script);
    // The job may rewrite .git/config (hooks, fsmonitor, filters) to run code in the agent's later git calls.
    const guard = await guardWorkspace(dir);
    logs.write('system', `kiln: ${ctx.isolation.detail}\n`);
    if (cancel) throw new Error('cancelled');
    await send('running');
    const cli = kilnCliEnv();
    const jobEnv = { ...ctx.baseEnv, ...job.env, ...cli, PYTHONUNBUFFERED: '1' };
    live = await startLiveReporter(
      cwd,
      job.env,
      (m) => logs.write('system', `kiln: ${m}\n`),
      ctx.client.graceMs,
    );
    stopWatch = watchPreemption({ ...ctx.baseEnv, ...job.env }, (what) => {
      preempted = what;
      killTree('SIGTERM');
      setTimeout(() => killTree('SIGKILL'), 10_000).unref();
    });
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        const script = ['bash', '-e', scriptFile];
        const [cmd = 'bash', ...args] = ctx.isolation.sandboxed
          ? sandboxArgv(
              {
                workspace: dir,
                cwd,
                hide: [ctx.workRoot, ...ctx.hide],
                // A local clone borrows the mirror's objects (`--shared`): shown, read-only.
                // The single-file agent is shown too (read-only), for `agent.mjs pipeline run`.
                readOnly: [
                  scriptFile,
                  ...(path.isAbsolute(job.cloneUrl) ? [job.cloneUrl] : []),
                  ...(cli.KILN_CLI?.endsWith('.mjs') ? [cli.KILN_CLI] : []),
                ],
              },
              script,
            )
          : script;
        child = spawn(cmd, args, {
          cwd,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: jobEnv,
        });
        // The job's process group dies with the agent, even a SIGKILLed one.
        if (child.pid) stopWatchdog = watchAgent(child.pid);
        child.stdout?.on('data', (b: Buffer) => logs.write('stdout', b.toString('utf8')));
        child.stderr?.on('data', (b: Buffer) => logs.write('stderr', b.toString('utf8')));
        child.on('error', reject);
        deadlineTimer = setTimeout(() => {
          timedOut = true;
          killTree('SIGTERM');
          setTimeout(() => killTree('SIGKILL'), 5000).unref();
        }, job.timeoutSec * 1000);
        child.on('close', (code, signal) => resolve({ code, signal }));
      },
    );
    clearTimeout(deadlineTimer);
    stopWatch();
    await guard.restore();
    if (preempted && !cancel) {
      logs.write('system', `kiln: ${preempted}: saving a checkpoint to resume from\n`);
      const checkpoint = await saveCheckpoint(job, dir, cwd).catch((err: unknown) => {
        logs.write(
          'system',
          `kiln: checkpoint failed: ${err instanceof Error ? err.message : String(err)}\n`,
        );
        return null;
      });
      if (checkpoint) logs.write('system', `kiln: checkpoint ${checkpoint.slice(0, 7)} saved\n`);
      outcome = { status: 'interrupted', reason: preempted, checkpoint };
    } else if (timedOut)
      outcome = { status: 'failed', exitCode: exit.code, error: `timed out after ${job.timeoutSec} s` };
    else if (cancel) outcome = { status: 'cancelled', exitCode: exit.code };
    else if (exit.code !== 0) {
      outcome = {
        status: 'failed',
        exitCode: exit.code,
        error: `the job script exited with ${exit.code ?? exit.signal}`,
      };
    } else {
      await send('saving');
      const ref = experimentRef(job.baseline, job.name);
      const dvcError = await pushDvcOutputs(cwd, jobEnv, (s, t) => logs.write(s, t));
      const saved = await saveResults(job, dir, ref);
      if (dvcError) saved.pushErrors.push(dvcError);
      logs.write('system', `kiln: saved ${saved.sha.slice(0, 7)} as ${ref}\n`);
      for (const e of saved.pushErrors) logs.write('system', `kiln: push failed: ${e}\n`);
      resultCommit = saved.sha;
      outcome = { status: 'succeeded', resultCommit: saved.sha, pushErrors: saved.pushErrors };
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    outcome = cancel
      ? { status: 'cancelled', exitCode: null }
      : { status: 'failed', exitCode: null, error: message };
    logs.write('system', `kiln: ${message}\n`);
  }
  stopWatch();
  await live?.stop(resultCommit);
  clearInterval(beatTimer);
  clearInterval(shipTimer);
  killTree('SIGKILL');
  stopWatchdog();
  // The job can write no more: text held back as a possible secret's beginning goes out now.
  logs.end();
  const deadline = Date.now() + 30_000;
  let away = false;
  while (!logs.idle && !gone && !away && Date.now() < deadline) {
    await ship().catch((err: unknown) => {
      // Past the grace period: the result is the last thing tried, once.
      away = err instanceof ServerUnreachable;
    });
    if (!logs.idle) await new Promise((r) => setTimeout(r, 100));
  }
  const delivered =
    gone ||
    (await ctx.client.send({ type: 'result', agentId: ctx.agentId, jobId: job.jobId, outcome }).then(
      () => true,
      (err: unknown) => !(err instanceof ServerUnreachable),
    ));
  if (!delivered) {
    // Nobody took the result: the workspace stays, with the result commit (also in the mirror
    // when it could be pushed), for a person to pick up.
    ctx.log?.(
      `could not deliver the result of ${job.project}/${job.name} (${outcome.status}${resultCommit ? ` ${resultCommit}` : ''}): the server stayed unreachable; its workspace is kept at ${dir}`,
    );
    await rm(scriptFile, { force: true }).catch(() => undefined);
    return outcome.status;
  }
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  await rm(scriptFile, { force: true }).catch(() => undefined);
  return outcome.status;
}
