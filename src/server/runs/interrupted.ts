import type { ExperimentRecord, Store } from '../../store/port.js';
import type { ExperimentService } from './experiment-service.js';
import { presentExperiment } from './present.js';
import { Settings } from '../settings.js';

/**
 * The machine of a run was reclaimed (spot): the same experiment goes back to the queue, to
 * resume from its checkpoint on the next machine, until `runs.maxAttempts` (default 3)
 * attempts were made. Returns whether it was queued again.
 */
export async function requeueInterrupted(
  store: Store,
  experiments: ExperimentService,
  exp: ExperimentRecord,
  reason: string,
  checkpoint: string | null,
): Promise<boolean> {
  const limit = await new Settings(store).get('runs.maxAttempts');
  const attempts = presentExperiment(exp, 0).timeline.filter((t) => t.status === 'starting').length;
  if (attempts >= limit) {
    await experiments.transition(exp, 'failed', {
      error: `interrupted ${attempts} time(s), the attempt limit: ${reason}`,
    });
    return false;
  }
  if (checkpoint) await store.agents.putCheckpoint(exp.id, checkpoint);
  await experiments.transition(exp, 'queued', {
    error: `attempt ${attempts} interrupted (${reason}); resuming${checkpoint ? ` from checkpoint ${checkpoint.slice(0, 7)}` : ''}`,
  });
  return true;
}
