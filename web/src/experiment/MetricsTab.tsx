import { useMemo } from 'react';
import type { Experiment } from '../../../src/contracts/experiments.js';
import { isFinished } from '../../../src/contracts/experiments.js';
import type { TableRow } from '../../../src/contracts/api.js';
import { api } from '../api.js';
import { errorMessage } from '../api-error.js';
import { useAsync } from '../use-async.js';
import { EmptyState, ErrorState, Skeleton } from '../ui/States.js';
import { delta, formatDelta } from '../table/deltas.js';
import { formatValue } from '../table/values.js';
import { PlotsView } from '../plots/PlotsView.js';
import { plotTargets, type PlotTarget } from '../plots/targets.js';
import { useStableColors } from '../plots/use-colors.js';
import { usePlotSources } from '../plots/use-plot-sources.js';
import { rowKey } from '../table/rows.js';
import { findRows, metricLines } from './metrics.js';

/** The experiment's metrics against its baseline's, read from the project's table, then its plots. */
export function MetricsTab({ exp }: { exp: Experiment }) {
  const table = useAsync(
    () => api.table(exp.project, { all: true, offset: 0, limit: 100_000 }),
    `${exp.project}/${exp.name}/${exp.status}`,
  );
  if (!table.data && table.error !== null)
    return <ErrorState title="Could not read the metrics" error={table.error} onRetry={table.reload} />;
  if (!table.data) return <Skeleton rows={5} columns={4} />;
  const { row, base } = findRows(table.data.rows, exp.name, exp.baseline);
  return (
    <div className="exp-metrics-tab">
      <MetricsTable exp={exp} row={row} base={base} />
      <ExperimentPlots exp={exp} row={row} />
    </div>
  );
}

/**
 * The same plots the table's pane draws for this experiment's row, in the same colour; before
 * the row exists (queued), by the experiment's name, growing live as it reports.
 */
function ExperimentPlots({ exp, row }: { exp: Experiment; row: TableRow | undefined }) {
  const rev = row?.rev;
  const targets = useMemo<PlotTarget[]>(
    () =>
      row
        ? plotTargets([row])
        : [
            {
              key: exp.name,
              row: rowKey({ rev: exp.id, name: exp.name, baseline: exp.baseline }),
              label: exp.name,
              exp: exp.name,
              rev: null,
              saved: false,
            },
          ],
    // The row object is new on each table read; its rev and status say what to load.
    [exp.name, rev, row?.status],
  );
  const colors = useStableColors(targets);
  const { sources, loading, failed, retry } = usePlotSources(exp.project, targets);
  return (
    <section className="exp-plots" aria-label="Plots">
      <h2 className="exp-h2">Plots</h2>
      {sources.length === 0 && loading.length > 0 ? (
        <div className="plots-grid">
          {[0, 1].map((i) => (
            <div key={i} className="plot-card plot-skeleton" />
          ))}
        </div>
      ) : sources.length > 0 ? (
        <PlotsView sources={sources} colors={colors} />
      ) : null}
      {failed.map((f) => (
        <div key={f.target.key} className="plot-error" role="alert">
          Could not load the plots: {errorMessage(f.error)}{' '}
          <button className="btn btn-sm" onClick={retry}>
            Retry
          </button>
        </div>
      ))}
    </section>
  );
}

function MetricsTable({
  exp,
  row,
  base,
}: {
  exp: Experiment;
  row: TableRow | undefined;
  base: TableRow | undefined;
}) {
  const lines = metricLines(row, base).filter((l) => l.value !== undefined || isFinished(exp.status));
  if (lines.length === 0) {
    return (
      <EmptyState title={isFinished(exp.status) ? 'No metrics' : 'No metrics yet'}>
        <p className="muted">
          {isFinished(exp.status)
            ? 'The run wrote no metrics files that dvc.yaml names.'
            : 'Metrics show here when the run writes them (DVCLive reports live).'}
        </p>
      </EmptyState>
    );
  }
  return (
    <table className="list-table exp-diff exp-metrics">
      <thead>
        <tr>
          <th>File</th>
          <th>Metric</th>
          <th className="num">Baseline</th>
          <th className="num">This experiment</th>
          <th className="num">Δ</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => {
          const d = delta(l.value, l.baseline);
          return (
            <tr key={`${l.file}:${l.key}`}>
              <td className="mono muted">{l.file}</td>
              <td className="mono">{l.key}</td>
              <td className="mono num muted">{formatValue(l.baseline)}</td>
              <td className="mono num">
                <b>{formatValue(l.value)}</b>
              </td>
              <td className={`mono num delta${d === undefined ? '' : d > 0 ? ' up' : d < 0 ? ' down' : ''}`}>
                {d === undefined ? '' : formatDelta(d, typeof l.baseline === 'number' ? l.baseline : 1)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
