import type { Experiment } from '../../../src/contracts/experiments.js';
import { isFinished } from '../../../src/contracts/experiments.js';
import { api } from '../api.js';
import { useAsync } from '../use-async.js';
import { EmptyState, ErrorState, Skeleton } from '../ui/States.js';
import { delta, formatDelta } from '../table/deltas.js';
import { formatValue } from '../table/values.js';
import { findRows, metricLines } from './metrics.js';

/** The experiment's metrics against its baseline's, read from the project's table. */
export function MetricsTab({ exp }: { exp: Experiment }) {
  const table = useAsync(
    () => api.table(exp.project, { all: true, offset: 0, limit: 100_000 }),
    `${exp.project}/${exp.name}/${exp.status}`,
  );
  if (!table.data && table.error !== null)
    return <ErrorState title="Could not read the metrics" error={table.error} onRetry={table.reload} />;
  if (!table.data) return <Skeleton rows={5} columns={4} />;
  const { row, base } = findRows(table.data.rows, exp.name, exp.baseline);
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
