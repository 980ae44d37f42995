import type { ExperimentStatus, Value } from '../../contracts/api.js';
import type { LiveEvent } from '../../contracts/live.js';
import { assertNever } from '../../contracts/errors.js';

type Files = Record<string, Record<string, Value>>;

/** What the table shows of a live experiment, folded from its events. */
export interface LiveSummary {
  done: boolean;
  step: number | null;
  message: string;
  client: string;
  experimentRev: string | null;
  params: Files;
  metrics: Files;
  errors: Record<string, string>;
  machine: Record<string, Value>;
}

export function emptySummary(): LiveSummary {
  return {
    done: false,
    step: null,
    message: '',
    client: '',
    experimentRev: null,
    params: {},
    metrics: {},
    errors: {},
    machine: {},
  };
}

/**
 * Folds one event into a summary. Events may arrive out of order: a data event for an older step
 * than the latest seen does not roll metrics back, and nothing reopens a finished experiment
 * except a new `start`.
 */
export function applyEvent(prev: LiveSummary, e: LiveEvent): LiveSummary {
  const next: LiveSummary = {
    ...prev,
    params: { ...prev.params },
    metrics: { ...prev.metrics },
    errors: { ...prev.errors },
  };
  if (e.client) next.client = e.client;
  if (e.machine) next.machine = { ...prev.machine, ...e.machine };
  for (const [file, values] of Object.entries(e.params ?? {})) next.params[file] = values;
  const older = e.type === 'data' && prev.step !== null && e.step < prev.step;
  if (!older) {
    for (const [file, m] of Object.entries(e.metrics ?? {})) {
      if (m.data) {
        next.metrics[file] = m.data;
        delete next.errors[file];
      }
      if (m.error) next.errors[file] = `${m.error.cls}: ${m.error.text}`;
    }
  }
  for (const err of e.errors ?? []) next.errors[err.cls] = err.text;
  switch (e.type) {
    case 'start':
      next.done = false;
      if (e.message !== undefined) next.message = e.message;
      break;
    case 'data':
      next.step = prev.step === null ? e.step : Math.max(prev.step, e.step);
      break;
    case 'done':
      next.done = true;
      if (e.experiment_rev) next.experimentRev = e.experiment_rev;
      break;
    default:
      assertNever(e);
  }
  return next;
}

/** `succeeded` once done; `stale` when no event came for `staleAfterMs`; else `running`. */
export function liveStatus(
  s: LiveSummary,
  updatedAt: string,
  now: number,
  staleAfterMs: number,
): ExperimentStatus {
  if (s.done) return 'succeeded';
  return now - Date.parse(updatedAt) > staleAfterMs ? 'stale' : 'running';
}
