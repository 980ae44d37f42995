import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ComputeBackend } from '../port.js';
import type { SettingsOf } from '../profiles/settings.js';
import type { RemoteAgentOptions } from '../ssh/backend.js';
import { shellQuote } from '../ssh/connect.js';

const run = promisify(execFile);

export interface SlurmBackendOptions extends RemoteAgentOptions {
  profile: string;
  settings: SettingsOf<'slurm'>;
  /** A directory every node sees; defaults to the profile's `sharedDir`. */
  dir: string;
  env?: NodeJS.ProcessEnv;
}

export type SlurmState =
  'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TIMEOUT' | 'NODE_FAIL' | 'OTHER';

/** sbatch's flags for a profile; passed as argv (never through a shell). */
export function sbatchArgs(name: string, s: SettingsOf<'slurm'>, output: string): string[] {
  return [
    '--parsable',
    `--job-name=${name}`,
    `--output=${output}`,
    `--cpus-per-task=${s.cpus}`,
    `--time=${s.timeLimitMin}`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.memoryMb ? [`--mem=${s.memoryMb}M`] : []),
    ...(s.gpus > 0 ? [`--gres=gpu:${s.gpus}`] : []),
    ...(s.account ? [`--account=${s.account}`] : []),
    ...(s.qos ? [`--qos=${s.qos}`] : []),
  ];
}

/**
 * The batch script: every value single-quoted. The agent reads its token from a 0600 file and
 * deletes it (so no job finds it there or in the agent's environment); its jobs never see the
 * profile's directory (`--hide`), where the agent, its logs and other runs' workspaces are.
 */
export function batchScript(o: {
  node: string;
  agent: string;
  tokenFile: string;
  url: string;
  work: string;
  hide: string;
}): string {
  return [
    '#!/bin/sh',
    'set -eu',
    `exec ${shellQuote(o.node)} ${shellQuote(o.agent)} --url ${shellQuote(o.url)} --work ${shellQuote(o.work)}/"$SLURM_JOB_ID" --hide ${shellQuote(o.hide)} --token-file ${shellQuote(o.tokenFile)}`,
    '',
  ].join('\n');
}

/**
 * Agents as Slurm jobs: one `sbatch` per agent with the profile's partition, CPUs, memory,
 * GPUs and time limit; `scancel` stops them; state from `squeue`/`scontrol`.
 */
export class SlurmBackend implements ComputeBackend {
  readonly target = 'slurm';
  private token: string | null = null;
  private starting: Promise<void> = Promise.resolve();
  readonly jobName: string;

  constructor(private readonly opts: SlurmBackendOptions) {
    this.jobName = `kiln-agent-${opts.profile}`;
  }

  private async cmd(bin: string, args: string[]): Promise<string> {
    const { stdout } = await run(bin, args, { env: this.opts.env ?? process.env, timeout: 30_000 });
    return stdout;
  }

  /** This profile's jobs that are queued or running, by id. */
  async jobs(): Promise<Map<string, SlurmState>> {
    const out = await this.cmd('squeue', [
      '-h',
      '--name',
      this.jobName,
      '-t',
      'PENDING,RUNNING,CONFIGURING',
      '-o',
      '%i %T',
    ]);
    const m = new Map<string, SlurmState>();
    for (const line of out.split('\n')) {
      const [id, st] = line.trim().split(/\s+/);
      if (id && st) m.set(id, st === 'PENDING' || st === 'RUNNING' ? st : 'OTHER');
    }
    return m;
  }

  /** One job's state from `scontrol` (kept MinJobAge after it ends), null when Slurm forgot it. */
  async state(id: string): Promise<{ state: SlurmState; exitCode: string | null } | null> {
    try {
      const out = await this.cmd('scontrol', ['show', 'job', '-o', id]);
      const st = /JobState=([A-Z_]+)/.exec(out)?.[1] ?? 'OTHER';
      const known: SlurmState[] = [
        'PENDING',
        'RUNNING',
        'COMPLETED',
        'FAILED',
        'CANCELLED',
        'TIMEOUT',
        'NODE_FAIL',
      ];
      const state = known.find((k) => k === st) ?? 'OTHER';
      return { state, exitCode: /ExitCode=(\d+:\d+)/.exec(out)?.[1] ?? null };
    } catch {
      return null;
    }
  }

  async alive(): Promise<number> {
    return (await this.jobs()).size;
  }

  ensureAgents(count: number): Promise<void> {
    const go = this.starting.then(async () => {
      const want = Math.min(count, this.opts.settings.maxInstances);
      for (let have = await this.alive(); have < want; have++) await this.submit();
    });
    this.starting = go.catch(() => undefined);
    return go;
  }

  /** Submits one agent job; returns its Slurm job id. */
  async submit(): Promise<string> {
    const dir = this.opts.dir;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const own = this.opts.agentToken ? await this.opts.agentToken() : null;
    this.token ??= own ? null : await this.opts.mintToken();
    const tokenFile = path.join(dir, `token-${randomBytes(4).toString('hex')}`);
    await writeFile(tokenFile, own?.token ?? this.token ?? '', { mode: 0o600 });
    const agent = path.join(dir, 'agent.mjs');
    await copyFile(this.opts.agentBundle, agent);
    const script = path.join(dir, `agent-${randomBytes(4).toString('hex')}.sh`);
    const node = this.opts.settings.node;
    await writeFile(
      script,
      batchScript({ node, agent, tokenFile, url: this.opts.url(), work: path.join(dir, 'work'), hide: dir }),
      { mode: 0o700 },
    );
    const out = await this.cmd('sbatch', [
      ...sbatchArgs(this.jobName, this.opts.settings, path.join(dir, 'slurm-%j.out')),
      script,
    ]);
    const id = out.trim().split(';')[0] ?? '';
    if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: ${out.trim()}`);
    if (own) await this.opts.placed?.(own.id, id, `Slurm job ${id}`);
    return id;
  }

  async cancel(id: string): Promise<void> {
    await this.cmd('scancel', [id]);
  }

  async stop(): Promise<void> {
    await this.starting;
    const ids = [...(await this.jobs()).keys()];
    if (ids.length) await this.cmd('scancel', ids);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await this.alive()) > 0) await new Promise((r) => setTimeout(r, 200));
  }
}
