import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ComputeBackend } from './port.js';

export interface LocalBackendOptions {
  home: string;
  /** The server's own URL, known once it listens. */
  url: () => string;
  /** Mints an access token with scope `agent`: one per agent, so a revoked one ends one agent only. */
  mintToken: () => Promise<{ id: string; token: string }>;
  /** Revokes the token of an agent that is gone. */
  revokeToken?: (id: string) => Promise<void>;
  /** How to start an agent: argv before `--url`; by default the bundled or source agent. */
  command?: readonly string[];
}

/** The agent entry point next to this module: dist/agent.mjs when built, the TypeScript source in development. */
export function defaultAgentCommand(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(here, '../..');
  const bundled = path.join(root, 'dist', 'agent.mjs');
  if (import.meta.url.endsWith('.js') && existsSync(bundled)) return [process.execPath, bundled];
  if (import.meta.url.endsWith('.js')) return [process.execPath, path.join(root, 'dist', 'agent', 'main.js')];
  return [process.execPath, '--import', 'tsx', path.join(root, 'src', 'agent', 'main.ts')];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The agent's own switches, none a secret: the sandbox, the spot-notice watch, and how long it
 * waits for an unreachable server.
 */
const AGENT_SETTINGS = new Set(['KILN_SANDBOX', 'KILN_PREEMPTION', 'KILN_METADATA_URL', 'KILN_SERVER_GRACE']);

/** The server's own settings and secrets, never handed to an agent (and so to a job). */
function agentEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('KILN_') || AGENT_SETTINGS.has(k)) out[k] = v;
  return out;
}

/** An agent that exits sooner than this after its start failed to start (bad token, no server). */
const QUICK_EXIT_MS = 10_000;

/**
 * The embedded target: agents are child processes on this machine, detached so they outlive a
 * server restart and reconnect to the next server (an agent whose server stays away past
 * KILN_SERVER_GRACE exits: see agent/client.ts). Their pids, token ids and logs are kept under
 * `<home>/agents/`. Each agent gets its own token on stdin (never in its environment, where a job
 * could read it from `/proc`), and its jobs never see the data dir (`--hide`).
 */
export class LocalBackend implements ComputeBackend {
  readonly target = 'local';
  private readonly dir: string;
  private starting: Promise<void> = Promise.resolve();
  /** Why the last agent stopped right after its start, and when: queued runs show it. */
  private failure: { at: number; reason: string } | null = null;

  constructor(private readonly opts: LocalBackendOptions) {
    this.dir = path.join(opts.home, 'agents');
  }

  async alive(): Promise<number> {
    return (await this.pids()).length;
  }

  ensureAgents(count: number): Promise<void> {
    const run = this.starting.then(async () => {
      const pids = await this.pids();
      const f = this.failure;
      // Agents that die as they start are started again at most every few seconds, and the
      // reason is reported (until one stays up) instead of hidden behind an endless restart.
      if (!f || Date.now() - f.at >= 5000) for (let i = pids.length; i < count; i++) await this.spawnAgent();
      if (f) throw new Error(`the local agent stopped right after starting (${f.reason}); trying again`);
    });
    this.starting = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    await this.starting;
    for (const pid of await this.pids()) {
      try {
        // The agent stops its jobs' process groups on SIGTERM before exiting.
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await this.pids()).some(isAlive))
      await new Promise((r) => setTimeout(r, 50));
    for (const pid of await this.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (existsSync(this.dir))
      for (const f of await readdir(this.dir))
        if (f.endsWith('.token')) await this.revoke(path.join(this.dir, f));
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Revokes the token of a gone agent (its id in `file`) and forgets it. */
  private async revoke(file: string): Promise<void> {
    const id = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (id) await this.opts.revokeToken?.(id).catch(() => undefined);
    await rm(file, { force: true });
  }

  /** For an agent started less than QUICK_EXIT_MS ago: the last line it wrote; else null. */
  private async quickExit(pidFile: string): Promise<string | null> {
    const born = (await stat(pidFile).catch(() => null))?.mtimeMs ?? 0;
    if (Date.now() - born > QUICK_EXIT_MS) return null;
    const log = await readFile(pidFile.replace(/\.pid$/, '.log'), 'utf8').catch(() => '');
    return (
      log
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^kiln agent: /, '') || 'it exited without a message'
    );
  }

  private async pids(): Promise<number[]> {
    if (!existsSync(this.dir)) return [];
    const out: number[] = [];
    for (const f of await readdir(this.dir)) {
      if (!f.endsWith('.pid')) continue;
      const pid = Number((await readFile(path.join(this.dir, f), 'utf8').catch(() => '')).trim());
      const file = path.join(this.dir, f);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        out.push(pid);
        if (this.failure && (await this.quickExit(file)) === null) this.failure = null;
        continue;
      }
      const reason = await this.quickExit(file);
      if (reason) this.failure = { at: Date.now(), reason };
      await this.revoke(file.replace(/\.pid$/, '.token'));
      await rm(file, { force: true });
    }
    return out;
  }

  private async spawnAgent(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const [cmd, ...args] = this.opts.command ?? defaultAgentCommand();
    if (!cmd) throw new Error('no agent command');
    const token = await this.opts.mintToken();
    const logFile = path.join(this.dir, `agent-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`);
    const tokenFile = logFile.replace(/\.log$/, '.token');
    await writeFile(tokenFile, token.id, { mode: 0o600 });
    const fd = openSync(logFile, 'a', 0o600);
    const home = this.opts.home;
    const child = spawn(
      cmd,
      [
        ...args,
        '--url',
        this.opts.url(),
        '--work',
        path.join(home, 'work'),
        '--hide',
        home,
        '--token-file',
        '-',
      ],
      { detached: true, stdio: ['pipe', fd, fd], env: agentEnv(process.env) },
    );
    closeSync(fd);
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${token.token}\n`);
    child.unref();
    if (child.pid) await writeFile(logFile.replace(/\.log$/, '.pid'), String(child.pid));
    else await this.revoke(tokenFile);
  }
}
