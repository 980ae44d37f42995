import { readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { assertNever } from '../contracts/errors.js';
import { probeSandbox } from '../compute/sandbox.js';
import { AgentClient, DEFAULT_SERVER_GRACE_SEC, ServerUnreachable } from './client.js';
import { runJob } from './run-job.js';

export const AgentOptions = z.object({
  url: z.string({ error: '--url is needed' }).url('--url must be the Kiln server URL'),
  token: z
    .string({ error: 'an agent token is needed: --token or KILN_TOKEN' })
    .min(1, 'an agent token is needed: --token or KILN_TOKEN'),
  work: z.string().min(1),
  /** Directories the jobs must not see besides `work` (the data dir, the agent's own dir). */
  hide: z.array(z.string().min(1)).default([]),
  /**
   * Exit after this many seconds without a job (a VM's idle timeout). The agent leaves right
   * after a claim came back empty, so the server holds no claim of a gone agent: a run queued
   * as the machine powers off waits for another machine instead of being handed to this one.
   */
  idleTimeoutSec: z.coerce.number().int().min(1).optional(),
  /**
   * How long the server may stay unreachable (default 10 minutes). Then an idle agent exits; a
   * busy one finishes its job, keeps its result, and exits once it delivered it or the period ended.
   */
  serverGraceSec: z.coerce.number().int().min(1).default(DEFAULT_SERVER_GRACE_SEC),
});
export type AgentOptions = z.infer<typeof AgentOptions>;

/** The agent's and the server's secrets, kept out of every job's environment. */
const PRIVATE_ENV = new Set(['KILN_TOKEN', 'KILN_SECRET_KEY', 'KILN_DATABASE_URL', 'KILN_BOOTSTRAP']);

/**
 * Reads the agent token from a file (`-`: stdin) and deletes the file, so it is neither in the
 * agent's environment (`/proc/<pid>/environ`) nor on disk for a job of the same user to find.
 */
export function readTokenFile(file: string): string {
  const token = readFileSync(file === '-' ? 0 : file, 'utf8').trim();
  if (file !== '-') rmSync(file, { force: true });
  return token;
}

/** The agent loop: register, claim a job (long-poll), run it, repeat; stops on SIGTERM/SIGINT. */
export async function runAgent(
  opts: AgentOptions,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void = (l) => console.error(l),
): Promise<void> {
  const client = new AgentClient(opts.url, opts.token, log, opts.serverGraceSec * 1000);
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !PRIVATE_ENV.has(k)) baseEnv[k] = v;
  const isolation = await probeSandbox(env);
  log(`${isolation.sandboxed ? '' : 'warning: '}${isolation.detail}`);
  let stopping = false;
  const current: { stop?: () => void } = {};
  const onSignal = () => {
    if (stopping) process.exit(1);
    stopping = true;
    client.stopped = true;
    current.stop?.();
    setTimeout(() => process.exit(0), 6000).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let reg;
  try {
    reg = await client.send({
      type: 'register',
      hostname: hostname(),
      pid: process.pid,
      version: '0.1.0',
      running: [],
    });
  } catch (err) {
    if (!(err instanceof ServerUnreachable)) throw err;
    log(`${err.message}: leaving`);
    return;
  }
  if (reg.type !== 'registered') throw new Error(`unexpected reply to register: ${reg.type}`);
  const { agentId, heartbeatMs } = reg;
  log(`agent ${agentId} connected to ${opts.url}`);
  let idleSince = Date.now();
  while (!stopping) {
    const left = opts.idleTimeoutSec ? idleSince + opts.idleTimeoutSec * 1000 - Date.now() : 20_000;
    if (left <= 0) {
      log(`no job for ${opts.idleTimeoutSec}s: leaving`);
      break;
    }
    let reply;
    try {
      reply = await client.send({ type: 'claim', agentId, waitMs: Math.min(20_000, Math.ceil(left)) });
    } catch (err) {
      if (stopping) break;
      // Idle, and the server is gone for good (as far as the grace period tells): not waiting for ever.
      if (err instanceof ServerUnreachable) {
        log(`${err.message}: leaving`);
        break;
      }
      throw err;
    }
    switch (reply.type) {
      case 'job':
        log(`running ${reply.job.project}/${reply.job.name}`);
        if (
          (await runJob(
            reply.job,
            { client, agentId, workRoot: opts.work, heartbeatMs, baseEnv, isolation, hide: opts.hide, log },
            current,
          )) === 'interrupted'
        ) {
          // This machine is being taken back: the run resumes elsewhere, and this agent takes no more.
          log('the machine is being reclaimed: not taking more jobs');
          stopping = true;
        }
        current.stop = undefined;
        idleSince = Date.now();
        break;
      case 'idle':
        break;
      case 'registered':
      case 'ack':
        throw new Error(`unexpected reply to claim: ${reply.type}`);
      default:
        assertNever(reply);
    }
  }
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
}

/**
 * `node agent.mjs pipeline run`: the job's default script runs the DVC pipeline with this when the
 * machine has neither DVC nor the kiln CLI (ssh, Slurm, Kubernetes, cloud VMs get only the agent),
 * so every target runs stages and writes dvc.lock as the local one does.
 */
async function pipelineCommand(args: readonly string[]): Promise<number> {
  if (args[0] !== 'run' || args.slice(1).some((a) => a !== '--force')) {
    console.error('usage: agent.mjs pipeline run [--force]');
    return 2;
  }
  const { PipelineError } = await import('../dvc/pipeline/project.js');
  const { runPipeline } = await import('../dvc/pipeline/run.js');
  try {
    const r = await runPipeline({ root: process.cwd(), force: args.includes('--force') });
    if (r.ran.length === 0) process.stderr.write('Everything is up to date.\n');
    return 0;
  } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    process.stderr.write(`kiln pipeline: ${e.message}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && /agent(\/main)?\.(ts|js|mjs)$/.test(process.argv[1]);
if (isMain && process.argv[2] === '--help') {
  // The default job script looks for the "  pipeline" line before it uses the command.
  process.stdout.write(
    'Usage: node agent.mjs --url URL --token-file FILE [--work DIR]\n\nCommands:\n  pipeline run   run the DVC pipeline in the current directory, without DVC\n',
  );
} else if (isMain && process.argv[2] === 'pipeline') {
  pipelineCommand(process.argv.slice(3)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`kiln pipeline: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
} else if (isMain) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      hide: { type: 'string', multiple: true },
      work: { type: 'string' },
      'idle-timeout': { type: 'string' },
      'server-grace': { type: 'string' },
    },
  });
  let fromFile: string | undefined;
  try {
    fromFile = values['token-file'] ? readTokenFile(values['token-file']) : undefined;
  } catch (err) {
    console.error(
      `kiln agent: cannot read the token file: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(2);
  }
  const opts = AgentOptions.safeParse({
    url: values.url ?? process.env.KILN_URL,
    token: values.token ?? fromFile ?? process.env.KILN_TOKEN,
    hide: values.hide ?? [],
    idleTimeoutSec: values['idle-timeout'] ?? process.env.KILN_IDLE_TIMEOUT,
    serverGraceSec: values['server-grace'] ?? (process.env.KILN_SERVER_GRACE || undefined),
    work: path.resolve(
      values.work ?? process.env.KILN_WORK ?? path.join(process.env.KILN_HOME ?? '.kiln', 'work'),
    ),
  });
  if (!opts.success) {
    console.error(`kiln agent: ${opts.error.issues.map((i) => i.message).join('; ')}`);
    process.exit(2);
  }
  runAgent(opts.data, process.env).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`kiln agent: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
