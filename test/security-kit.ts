import type { ExperimentRecord } from '../src/store/port.js';
import type { RunningServer } from '../src/server/app.js';

/**
 * A finished experiment of `project` written straight to the store, with a run token scoped to
 * it as the scheduler would mint one: for the security tests, which need a run's credentials
 * without running a job.
 */
export async function runWithToken(
  s: RunningServer,
  project: string,
  name: string,
  baseline: string,
): Promise<{ experiment: ExperimentRecord; token: string; tokenId: string }> {
  const now = new Date().toISOString();
  const id = crypto.randomUUID();
  const experiment: ExperimentRecord = {
    id,
    project,
    name,
    baseline,
    message: '',
    changeSetJson: JSON.stringify({ params: [], inputs: [], script: 'true' }),
    target: 'local',
    timeoutSec: 60,
    priority: 0,
    queueOrder: 0,
    status: 'succeeded',
    timelineJson: '[]',
    exitCode: 0,
    error: null,
    resultCommit: null,
    sweepId: null,
    createdAt: now,
    startedAt: now,
    finishedAt: now,
  };
  const job = {
    id: crypto.randomUUID(),
    experimentId: id,
    state: 'done' as const,
    agentId: null,
    leaseUntil: null,
    cancelRequested: false,
    runTokenId: null,
    createdAt: now,
  };
  await s.store.experiments.insert([{ experiment, job }]);
  const { user } = await s.store.ensureAdmin();
  const t = await s.auth.createToken(user.id, `run ${project}/${name}`, `run:${id}`);
  return { experiment, token: t.token, tokenId: t.id };
}
