import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ComputeBackend } from './port.js';

export interface LocalBackendOptions {
  home: string;
  /** The server's own URL, known once it listens. */
  url: () => string;
  /** Mints an access token with scope `agent`. */
  mintToken: () => Promise<string>;
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
 * The embedded target: agents are child processes on this machine, detached so they outlive a
 * server restart and reconnect to the next server. Their pids are kept under `<home>/agents/`.
 */
export class LocalBackend implements ComputeBackend {
  readonly target = 'local';
  private readonly dir: string;
  private token: string | null = null;
  private starting: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LocalBackendOptions) {
    this.dir = path.join(opts.home, 'agents');
  }

  async alive(): Promise<number> {
    return (await this.pids()).length;
  }

  ensureAgents(count: number): Promise<void> {
    const run = this.starting.then(async () => {
      const pids = await this.pids();
      for (let i = pids.length; i < count; i++) await this.spawnAgent();
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
    await rm(this.dir, { recursive: true, force: true });
  }

  private async pids(): Promise<number[]> {
    if (!existsSync(this.dir)) return [];
    const out: number[] = [];
    for (const f of await readdir(this.dir)) {
      if (!f.endsWith('.pid')) continue;
      const pid = Number((await readFile(path.join(this.dir, f), 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) out.push(pid);
      else await rm(path.join(this.dir, f), { force: true });
    }
    return out;
  }

  private async spawnAgent(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.token ??= await this.opts.mintToken();
    const [cmd, ...args] = this.opts.command ?? defaultAgentCommand();
    if (!cmd) throw new Error('no agent command');
    const logFile = path.join(this.dir, `agent-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(
      cmd,
      [...args, '--url', this.opts.url(), '--work', path.join(this.opts.home, 'work')],
      {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, KILN_TOKEN: this.token },
      },
    );
    closeSync(fd);
    child.unref();
    if (child.pid) await writeFile(logFile.replace(/\.log$/, '.pid'), String(child.pid));
  }
}
