import type { ExperimentStatus } from './api.js';

/**
 * The run lifecycle, in one table: the states a run may move to from each state. A state with
 * nowhere to go is final. Runs go `queued → starting → running → saving → succeeded`; any state
 * under way may end `failed`, `cancelled` or `lost`, and a run whose machine was taken back
 * (spot) goes back to `queued`. `stale` is a live-only experiment that went quiet (it may speak
 * again); `pushed` is a table row for an experiment `dvc exp push` stored, never a Kiln run.
 * Browser-safe: the web reads it too.
 */
export const RUN_TRANSITIONS: Readonly<Record<ExperimentStatus, readonly ExperimentStatus[]>> = {
  queued: ['starting', 'failed', 'cancelled', 'lost'],
  starting: ['running', 'saving', 'succeeded', 'failed', 'cancelled', 'lost', 'queued'],
  running: ['saving', 'succeeded', 'failed', 'cancelled', 'lost', 'queued'],
  saving: ['succeeded', 'failed', 'cancelled', 'lost', 'queued'],
  stale: ['running', 'succeeded', 'failed'],
  succeeded: [],
  failed: [],
  cancelled: [],
  lost: [],
  pushed: [],
};

/** Final states: the run will not change again. */
export const FINISHED: readonly ExperimentStatus[] = (
  Object.keys(RUN_TRANSITIONS) as ExperimentStatus[]
).filter((s) => RUN_TRANSITIONS[s].length === 0);

/** States of a Kiln run under way: queued up to saving. */
export const ACTIVE: readonly ExperimentStatus[] = ['queued', 'starting', 'running', 'saving'];

export function isFinished(s: ExperimentStatus): boolean {
  return FINISHED.includes(s);
}

/** Whether a run is under way (queued up to saving; a quiet live one is `stale`, not active). */
export function isActive(s: ExperimentStatus): boolean {
  return ACTIVE.includes(s);
}

/** Whether a run in state `from` may move to `to`. */
export function canMove(from: ExperimentStatus, to: ExperimentStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}
