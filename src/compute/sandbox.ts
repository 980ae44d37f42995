import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Whether jobs on this machine run in a sandbox, and why not when they do not, in words. */
export interface Isolation {
  sandboxed: boolean;
  detail: string;
}

/** What one job's sandbox lets through. */
export interface SandboxPaths {
  /** The only writable directory: the job's workspace (the clone). */
  workspace: string;
  /** Where the job starts. */
  cwd: string;
  /** Directories the job must not see at all (the data dir, the agent's own dir with its token). */
  hide: readonly string[];
  /** Files or directories shown read-only inside hidden ones (the job script, the mirror a `--shared` clone borrows objects from). */
  readOnly: readonly string[];
}

const BWRAP = 'bwrap';

/**
 * bubblewrap's flags for a job: the whole filesystem read-only, the hidden directories replaced by
 * empty tmpfs, a fresh /tmp, /dev and /proc, its own PID and IPC namespaces (so the agent's
 * `/proc/<pid>/environ` and memory are out of reach and it cannot be signalled), the network kept
 * (training talks to the live API), and the sandbox killed with the agent (`--die-with-parent`).
 */
export function sandboxArgv(p: SandboxPaths, command: readonly string[]): string[] {
  const args = [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--tmpfs',
    '/dev/shm',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
  ];
  if (existsSync('/var/tmp')) args.push('--tmpfs', '/var/tmp');
  // Outermost first: a hidden dir inside /tmp is already gone with /tmp.
  const hide = [...new Set(p.hide.map((d) => path.resolve(d)))].sort((a, b) => a.length - b.length);
  for (const d of hide) if (existsSync(d)) args.push('--tmpfs', d);
  for (const f of p.readOnly) if (existsSync(f)) args.push('--ro-bind', f, f);
  args.push('--bind', p.workspace, p.workspace, '--chdir', p.cwd, '--', ...command);
  return [BWRAP, ...args];
}

let probed: Promise<Isolation> | null = null;

/**
 * Whether bubblewrap can start a sandbox here (installed, and user namespaces or root allowed),
 * tried once per process with the flags every job uses. `KILN_SANDBOX=off` turns it off, said so.
 */
export function probeSandbox(env: NodeJS.ProcessEnv = process.env): Promise<Isolation> {
  if (env.KILN_SANDBOX === 'off')
    return Promise.resolve({
      sandboxed: false,
      detail:
        'jobs are not sandboxed (KILN_SANDBOX=off): a job runs as the agent’s user and can read what that user can',
    });
  probed ??= new Promise<Isolation>((resolve) => {
    const argv = sandboxArgv({ workspace: '/', cwd: '/', hide: [], readOnly: [] }, ['true']);
    const [cmd, ...args] = argv;
    let err = '';
    const p = spawn(cmd ?? BWRAP, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', (e: NodeJS.ErrnoException) =>
      resolve({
        sandboxed: false,
        detail:
          e.code === 'ENOENT'
            ? 'jobs are not sandboxed: bubblewrap (bwrap) is not installed (apt-get install bubblewrap); a job runs as the agent’s user and can read what that user can'
            : `jobs are not sandboxed: bwrap could not start (${e.message})`,
      }),
    );
    p.on('close', (code) =>
      resolve(
        code === 0
          ? {
              sandboxed: true,
              detail:
                'jobs run in a bubblewrap sandbox: only their workspace is writable, the data dir and the agent are out of sight',
            }
          : {
              sandboxed: false,
              detail: `jobs are not sandboxed: bwrap failed here (${err.trim().split('\n')[0] || `exit ${code}`}); a job runs as the agent’s user and can read what that user can`,
            },
      ),
    );
  });
  return probed;
}
