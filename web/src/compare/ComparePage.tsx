import { useMemo, useState } from 'react';
import { api } from '../api.js';
import { useAsync } from '../use-async.js';
import { Link } from '../ui/Link.js';
import { EmptyState, ErrorState, Skeleton } from '../ui/States.js';
import { projectPath } from '../router.js';
import { PlotsView } from '../plots/PlotsView.js';
import { plotTargets } from '../plots/targets.js';
import { useStableColors } from '../plots/use-colors.js';
import { usePlotSources } from '../plots/use-plot-sources.js';
import { compareRows } from './compare.js';
import { CompareTable } from './CompareTable.js';
import { useGoals } from './use-goals.js';
import './compare.css';

export function ComparePage({ name, revs }: { name: string; revs: string[] }) {
  const table = useAsync(() => api.table(name, { all: true, offset: 0, limit: 100_000 }), `compare:${name}`);
  const [goals, setGoal] = useGoals(name);
  const [onlyChanged, setOnlyChanged] = useState(false);
  const rows = useMemo(() => {
    const byRev = new Map((table.data?.rows ?? []).map((r) => [r.rev, r]));
    return revs.flatMap((r) => byRev.get(r) ?? []);
  }, [table.data, revs]);
  const targets = useMemo(() => plotTargets(rows), [rows]);
  const colors = useStableColors(targets);
  const comparison = useMemo(
    () => compareRows(rows, table.data?.columns ?? [], goals),
    [rows, table.data, goals],
  );
  const plots = usePlotSources(name, targets);
  const missing = table.data ? revs.length - rows.length : 0;

  let body;
  if (!table.data && table.error)
    body = <ErrorState title="Could not load the experiments" error={table.error} onRetry={table.reload} />;
  else if (!table.data) body = <Skeleton rows={10} columns={4} />;
  else if (rows.length === 0)
    body = (
      <EmptyState title="Nothing to compare">
        <p className="muted">
          Select rows in the table (pin a few in the Plots pane), then press c or Compare.
        </p>
      </EmptyState>
    );
  else
    body = (
      <>
        <CompareTable
          targets={targets}
          colors={colors}
          comparison={comparison}
          onlyChanged={onlyChanged}
          goals={goals}
          onGoal={setGoal}
        />
        <h2 className="cmp-h2">Plots</h2>
        {plots.failed.map((f) => (
          <div key={f.target.key} className="plot-error">
            No plots for {f.target.label}.
          </div>
        ))}
        <PlotsView sources={plots.sources} colors={colors} />
      </>
    );

  return (
    <div className="page cmp-page">
      <div className="cmp-head">
        <div>
          <div className="muted crumbs">
            <Link to={projectPath(name)}>{name}</Link> / compare
          </div>
          <h1>Compare {rows.length > 0 ? `${String(rows.length)} rows` : ''}</h1>
        </div>
        <label className="switch">
          <input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged(e.target.checked)} />
          <span>Only differences</span>
        </label>
      </div>
      {missing > 0 && (
        <div className="banner" role="status">
          {missing} of the chosen rows are not in the table any more.
        </div>
      )}
      <p className="muted cmp-hint">
        Deltas are against the first column. Click ↕ on a metric to mark higher or lower as better: the best
        value is highlighted, better and worse than the reference are coloured — in the table too.
      </p>
      {body}
    </div>
  );
}
