import { ExperimentStatus } from '../../contracts/api.js';
import { experimentRef, isFinished } from '../../contracts/experiments.js';
import { git } from '../../git/run-git.js';
import type { ExperimentRecord, JobRecord, Store } from '../../store/port.js';
import type { Targets } from '../compute/targets.js';
import type { ExperimentService } from './experiment-service.js';

/** Experiments queued or running per target: one counting query, however long the queue. */
export async function demandByTarget(store: Store): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [target, n] of await store.experiments.activeByTarget()) if (n > 0) out.set(target, n);
  return out;
}

const lastLook = new Map<string, number>();

/**
 * A job whose machine is gone while its agent never reported (a Slurm job killed, timed out or
 * on a failed node) becomes `lost` without waiting for the lease.
 */
export async function watchMachines(
  store: Store,
  experiments: ExperimentService,
  targets: Targets,
  release: (job: JobRecord) => Promise<void>,
): Promise<void> {
  // Local jobs have no machine to watch: only the others are read, each at most every 2 s.
  for (const { job, target } of await store.experiments.claimedElsewhere('local')) {
    const t = await targets.get(target).catch(() => null);
    if (!t?.running) continue;
    if (Date.now() - (lastLook.get(job.id) ?? 0) < 2000) continue;
    lastLook.set(job.id, Date.now());
    const exp = await store.experiments.getById(job.experimentId);
    if (!exp) continue;
    const tokenId = (await store.agents.runPlacement(exp.id))?.tokenId ?? null;
    const agent = await targets.agent(tokenId);
    if (!agent.id || (await t.running(agent.id))) continue;
    const fresh = await store.experiments.getJob(job.id);
    if (fresh?.state !== 'claimed') continue;
    await store.experiments.updateJob(job.id, { state: 'done' });
    lastLook.delete(job.id);
    if (!isFinished(ExperimentStatus.parse(exp.status)))
      await experiments.transition(exp, 'lost', {
        error: `${agent.detail || 'the machine'} ended without its agent reporting a result`,
      });
    await release(job);
  }
}

/**
 * Agents push their result to the mirror only; the server passes it on to the project's source
 * with the project's credentials. Returns why the push failed, or null.
 */
export async function forwardResult(
  experiments: ExperimentService,
  exp: ExperimentRecord,
  sha: string,
): Promise<string | null> {
  const ref = experimentRef(exp.baseline, exp.name);
  // The mirror's pruning fetch drops refs/exps/* its source lacks (a forward that failed); a
  // Kiln-private ref keeps the result commit, which the experiment's row reads, for good.
  const { mirror } = await experiments.where(exp.project);
  await git(['update-ref', `refs/kiln/results/${exp.id}`, sha], { cwd: mirror }).catch(() => undefined);
  return experiments.pushToSource(exp.project, sha, ref).then(
    () => null,
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  );
}
