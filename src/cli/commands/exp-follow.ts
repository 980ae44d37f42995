import { LogPage, type Experiment } from '../../contracts/experiments.js';
import type { ApiClient } from '../client.js';

/** Prints an experiment's log as it grows (long-poll) until the run ends; returns its final page. */
export async function followLog(
  client: ApiClient,
  project: string,
  name: string,
  after = 0,
): Promise<LogPage> {
  let next = after;
  for (;;) {
    const page = await client.request(
      'GET',
      `/api/projects/${encodeURIComponent(project)}/experiments/${encodeURIComponent(name)}/logs?after=${next}&wait=20000`,
      LogPage,
    );
    for (const c of page.chunks) (c.stream === 'stderr' ? process.stderr : process.stdout).write(c.text);
    next = page.next;
    if (page.done) return page;
  }
}

/** The exit code that stands for a finished experiment: 0 only when it succeeded. */
export function exitCodeOf(e: Pick<Experiment, 'status' | 'exitCode'>): number {
  if (e.status === 'succeeded') return 0;
  if (e.status === 'cancelled') return 130;
  return e.exitCode && e.exitCode > 0 && e.exitCode < 126 ? e.exitCode : 1;
}
