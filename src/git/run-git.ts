import { execFile, spawn } from 'node:child_process';

/** A git command that failed, with what git said. The only error the git adapter throws. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `git ${subcommand(args)} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${firstLines(stderr)}`,
    );
    this.name = 'GitError';
  }
}

function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-c' || a === '-C') i++;
    else if (!a.startsWith('-')) return a;
  }
  return '';
}

function firstLines(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.slice(-5).join(' / ') || 'no message';
}

export interface GitOptions {
  cwd: string;
  env?: Record<string, string>;
  input?: string;
  maxBuffer?: number;
  timeoutMs?: number;
}

/** Runs git with an argument array (never a shell string) and returns stdout. */
export function git(args: readonly string[], opts: GitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: opts.cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...opts.env },
        maxBuffer: opts.maxBuffer ?? 512 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 0,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof err.code === 'number' ? err.code : null;
          reject(new GitError(args, code, stderr || err.message));
        } else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs git and reports whether it exited 0 (for predicates such as merge-base --is-ancestor). */
export function gitOk(args: readonly string[], opts: GitOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: 'ignore',
    });
    child.on('close', (code) => resolve(code === 0));
    child.on('error', () => resolve(false));
  });
}
