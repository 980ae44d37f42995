import type { TableRow } from '../../contracts/api.js';
import type { LiveExperiment } from '../../contracts/live.js';
import { liveStatus, type LiveSummary } from '../../core/live/summary.js';
import type { LiveExperimentRecord } from '../../store/port.js';
import { LiveSummaryJson } from './summary-json.js';

export function summaryOf(rec: LiveExperimentRecord): LiveSummary {
  return LiveSummaryJson.parse(JSON.parse(rec.summaryJson));
}

/** The table row of a live experiment: nested under its baseline, keyed by its name. */
export function liveRow(
  rec: LiveExperimentRecord,
  s: LiveSummary,
  now: number,
  staleAfterMs: number,
): TableRow {
  return {
    rev: s.experimentRev ?? rec.id,
    message: s.message || `experiment ${rec.name}`,
    author: '',
    date: rec.updatedAt,
    branches: [],
    tags: [],
    hidden: false,
    parents: [rec.baseline],
    params: s.params,
    metrics: s.metrics,
    errors: s.errors,
    name: rec.name,
    baseline: rec.baseline,
    status: liveStatus(s, rec.updatedAt, now, staleAfterMs),
  };
}

export function presentLive(
  rec: LiveExperimentRecord,
  s: LiveSummary,
  opts: { now: number; staleAfterMs: number; detached: boolean },
): LiveExperiment {
  const row = liveRow(rec, s, opts.now, opts.staleAfterMs);
  return {
    id: rec.id,
    project: rec.project,
    name: rec.name,
    baseline: rec.baseline,
    status: row.status ?? 'running',
    kilnExperimentId: rec.kilnExperimentId,
    detached: opts.detached,
    step: s.step,
    message: s.message,
    client: s.client,
    experimentRev: s.experimentRev,
    pushed: rec.pushed,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    row,
  };
}

/**
 * A Kiln-run row with what its live events reported: while it runs the live values are newer;
 * once its result commit is read, the commit's files win and live values only fill gaps.
 */
export function overlayRow(row: TableRow, s: LiveSummary): TableRow {
  const committed = row.status === 'succeeded' && Object.keys(row.metrics).length > 0;
  return committed
    ? { ...row, params: { ...s.params, ...row.params }, metrics: { ...s.metrics, ...row.metrics } }
    : { ...row, params: { ...row.params, ...s.params }, metrics: { ...row.metrics, ...s.metrics } };
}
