import { spawn } from 'node:child_process';

// Waits on a pipe from the agent: end of file without "done" means the agent died (even by
// SIGKILL, which no handler sees), and the job's process group goes with it.
// bash, not sh: dash's kill takes no negative (process group) pid.
const WATCH = 'read -r line; [ "$line" = done ] || kill -KILL -- "-$1" 2>/dev/null; exit 0';

/**
 * Ties a job's process group (`pgid`, the detached job's pid) to this agent's life: a small
 * watcher in its own session kills the group when the agent goes away without saying so. Returns
 * the call that dismisses the watcher once the job ended normally.
 */
export function watchAgent(pgid: number): () => void {
  const w = spawn('bash', ['-c', WATCH, 'kiln-job-watch', String(pgid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  w.on('error', () => undefined);
  w.stdin.on('error', () => undefined);
  w.unref();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    w.stdin.end('done\n');
  };
}
