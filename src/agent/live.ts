import { DvcliveTailer, httpSender } from './dvclive-tail/index.js';

/**
 * How long the end of a run waits for the last live events before giving up on them when the
 * server answers; while it is away (restarting), up to the agent's grace period.
 */
const STOP_TIMEOUT_MS = 15_000;

export interface LiveReporter {
  /** Sends the last scan and `done` (with the result commit when the run saved one); never throws. */
  stop(experimentRev?: string): Promise<void>;
}

/**
 * Tails DVCLive's files in the job's workspace and posts them to the server's `/api/live` with the
 * run's token, as DVCLive itself would (`DVC_EXP_NAME` as the name). Sending runs beside the job
 * and never holds it up; without the studio variables nothing is sent.
 */
export async function startLiveReporter(
  workspace: string,
  env: Readonly<Record<string, string>>,
  onProblem: (message: string) => void,
  awayGraceMs = STOP_TIMEOUT_MS,
): Promise<LiveReporter | null> {
  const url = env['DVC_STUDIO_URL'];
  const token = env['DVC_STUDIO_TOKEN'];
  const repoUrl = env['DVC_STUDIO_REPO_URL'];
  const baselineSha = env['DVC_EXP_BASELINE_REV'];
  const name = env['DVC_EXP_NAME'];
  if (!url || !token || !repoUrl || !baselineSha || !name) return null;
  const tailer = new DvcliveTailer({ workspace, repoUrl, baselineSha, name, send: httpSender(url, token) });
  await tailer.prime();
  tailer.start();
  return {
    async stop(experimentRev) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(STOP_TIMEOUT_MS, awayGraceMs) + 10_000);
      });
      const now = Date.now();
      const stopped = tailer
        .stop(experimentRev ? { experimentRev } : {}, now + STOP_TIMEOUT_MS, now + awayGraceMs)
        .then(
          () => 'ok' as const,
          () => 'failed' as const,
        );
      const r = await Promise.race([stopped, timeout]);
      clearTimeout(timer);
      if (r !== 'ok') onProblem(`live metrics: the final report ${r === 'timeout' ? 'timed out' : 'failed'}`);
      else if (tailer.failures > 0)
        onProblem(`live metrics: ${tailer.failures} post(s) to ${url} failed and were retried`);
    },
  };
}
