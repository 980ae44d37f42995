import { useMemo, useState } from 'react';
import { api } from '../api.js';
import { useAsync } from '../use-async.js';
import { Link } from '../ui/Link.js';
import { EmptyState, ErrorState, Skeleton } from '../ui/States.js';
import { projectPath } from '../router.js';
import { columnLabel, formatValue } from '../table/values.js';
import { VegaChart } from '../plots/VegaChart.js';
import { branchesOf, trendSeries } from './trends.js';
import { trendSpec } from './trend-spec.js';
import '../compare/compare.css';
import '../plots/plots.css';

export function TrendsPage({ name }: { name: string }) {
  const table = useAsync(() => api.table(name, { all: true, offset: 0, limit: 100_000 }), `trends:${name}`);
  const rows = useMemo(() => table.data?.rows ?? [], [table.data]);
  const metrics = useMemo(
    () => (table.data?.columns ?? []).filter((c) => c.kind === 'metrics'),
    [table.data],
  );
  const branches = useMemo(() => branchesOf(rows), [rows]);
  const [branchPick, setBranch] = useState<string | null>(null);
  const [metricPick, setMetric] = useState<string | null>(null);
  const branch = branchPick ?? branches[0] ?? null;
  const metric = metrics.find((c) => c.id === metricPick) ?? metrics[0];
  const points = useMemo(
    () => (branch !== null && metric ? trendSeries(rows, branch, metric) : []),
    [rows, branch, metric],
  );
  const spec = useMemo(() => trendSpec(points, metric ? columnLabel(metric) : ''), [points, metric]);
  const valued = points.filter((p) => p.value !== null);

  let body;
  if (!table.data && table.error)
    body = <ErrorState title="Could not load the commits" error={table.error} onRetry={table.reload} />;
  else if (!table.data) body = <Skeleton rows={8} columns={3} />;
  else if (branches.length === 0 || !metric)
    body = <EmptyState title={branches.length === 0 ? 'No branches in this project' : 'No metrics yet'} />;
  else
    body = (
      <>
        <div className="plot-card">
          {valued.length === 0 ? (
            <div className="plot-empty">
              No commit on {branch} has a number for {columnLabel(metric)}.
            </div>
          ) : (
            <VegaChart spec={spec} points={points.length} />
          )}
        </div>
        <p className="muted cmp-hint">
          {points.length} commits on <b>{branch}</b>, {valued.length} with a value
          {valued.length > 0 && ` · latest ${formatValue(valued[valued.length - 1]?.value ?? null)}`}
        </p>
      </>
    );

  return (
    <div className="page cmp-page">
      <div className="cmp-head">
        <div>
          <div className="muted crumbs">
            <Link to={projectPath(name)}>{name}</Link> / trends
          </div>
          <h1>Trends</h1>
        </div>
        <div className="trend-pickers">
          <label>
            Branch{' '}
            <select value={branch ?? ''} onChange={(e) => setBranch(e.target.value)} aria-label="Branch">
              {branches.map((b) => (
                <option key={b}>{b}</option>
              ))}
            </select>
          </label>
          <label>
            Metric{' '}
            <select value={metric?.id ?? ''} onChange={(e) => setMetric(e.target.value)} aria-label="Metric">
              {metrics.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.file}: {c.path.join('.')}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {body}
    </div>
  );
}
