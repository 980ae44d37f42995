import { useEffect, useMemo, useRef, useState } from 'react';
import type { TableRow } from '../../../src/contracts/api.js';
import { api } from '../api.js';
import { errorMessage } from '../api-error.js';
import { useAsync } from '../use-async.js';
import { useServerEvents } from '../use-server-events.js';
import { EmptyState, ErrorState, Skeleton } from '../ui/States.js';
import { ProjectHeader } from './ProjectHeader.js';
import { ExperimentsTable } from '../table/ExperimentsTable.js';
import { TableToolbar } from '../table/TableToolbar.js';
import { useTableData } from '../table/use-table-data.js';
import { useTableView } from '../table/use-table-view.js';
import { useExperimentsTable, isFixed } from '../table/use-experiments-table.js';
import { filterRows } from '../table/filter.js';
import {
  collapseExperiments,
  experimentCounts,
  groupOf,
  isSweepGroupId,
  liveRows,
  nestExperiments,
  rowKey,
  sweepGroups,
  withSweepGroups,
  type SweepGroup,
} from '../table/rows.js';
import { reconcileOrder } from '../table/columns.js';
import { toCsv } from '../table/csv.js';
import { downloadText } from '../table/download.js';
import { RunDrawer } from '../run/RunDrawer.js';
import {
  baselineChoices,
  defaultRunRow,
  experimentOf,
  runSourceOf,
  type RunSource,
} from '../run/run-source.js';
import { useRunKeys } from '../run/use-run-keys.js';
import { useGoals } from '../compare/use-goals.js';
import { PlotsPane } from '../plots/PlotsPane.js';
import { InsightsButtons } from '../plots/InsightsButtons.js';
import { chosenRevs, usePinned } from '../plots/use-pinned.js';
import { experimentPath, navigate } from '../router.js';

const NO_SWEEPS: ReadonlyMap<string, SweepGroup> = new Map();

/** Run from a sweep's group row: from the commit its experiments run from. */
function runSourceOfGroup(g: SweepGroup, rows: readonly TableRow[]): RunSource {
  const commit = rows.find((r) => r.rev === g.baseline && r.baseline === undefined);
  return commit ? runSourceOf(commit) : { rev: g.baseline, label: 'baseline of the sweep' };
}

export function ProjectPage({ name }: { name: string }) {
  const project = useAsync(() => api.project(name), `project:${name}`);
  const view = useTableView(name);
  const table = useTableData(name, view.showHidden);
  const [text, setText] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const [runFrom, setRunFrom] = useState<RunSource | null>(null);
  const [plotsOpen, setPlotsOpen] = useState(false);
  const pinned = usePinned(name);
  const [goals, setGoal] = useGoals(name);

  useServerEvents({
    onFetch: (e) => {
      if (e.project !== name) return;
      project.setData(
        (p) =>
          p && { ...p, fetch: { ...p.fetch, state: e.state, error: e.error, at: new Date().toISOString() } },
      );
    },
    onTableChanged: (e) => {
      if (e.project !== name) return;
      table.refresh();
      project.reload();
    },
    // Experiment rows carry their status; refetching keeps scroll and selection (rows are keyed by rev).
    onExperimentStatus: (e) => {
      if (e.project === name) table.refresh();
    },
    onLiveUpdate: (e) => {
      if (e.project === name && !table.patchRow(e.row)) table.refresh();
    },
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target;
      const typing =
        t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        filterRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const data = table.data;
  const columns = useMemo(() => data?.columns ?? [], [data]);
  const columnsById = useMemo(() => new Map(columns.map((c) => [c.id, c])), [columns]);
  const nested = useMemo(() => nestExperiments(data?.rows ?? []), [data]);
  const counts = useMemo(() => experimentCounts(nested), [nested]);
  const groups = useMemo(() => sweepGroups(nested), [nested]);
  // Sorted, the rows are one flat list: a sweep's experiments are no longer side by side to group.
  const sweeps = view.sorting.length > 0 ? NO_SWEEPS : groups;
  const filtered = useMemo(
    () =>
      filterRows(
        collapseExperiments(view.liveOnly ? liveRows(nested) : nested, view.isCollapsed),
        text,
        view.conditions,
        columnsById,
      ),
    [nested, text, view.conditions, columnsById, view.isCollapsed, view.liveOnly],
  );
  const gridRows = useMemo(
    () => withSweepGroups(filtered, sweeps, view.isCollapsed),
    [filtered, sweeps, view.isCollapsed],
  );
  const tanstack = useExperimentsTable(gridRows, columns, view);
  const baseline = useMemo(
    () => (view.baseline ? nested.find((r) => r.rev === view.baseline) : undefined),
    [nested, view.baseline],
  );
  const order = useMemo(() => reconcileOrder(view.order, columns), [view.order, columns]);
  // Pins and the selection hold row keys (rowKey): a run's row keeps its key when its rev turns
  // from its id into its result commit, so Plots and Compare keep showing it.
  const selectedRow = useMemo(() => nested.find((r) => rowKey(r) === selected), [nested, selected]);
  const selectedGroup = selected === null ? undefined : groups.get(selected);
  // A sweep's group row is the cursor only: plots, Compare and the delta baseline never take it.
  const source = selected !== null && isSweepGroupId(selected) ? null : selected;
  const selectedExp = experimentOf(selectedRow);
  // With nothing selected, Run starts from the default branch (the drawer names it and offers
  // others); from a sweep, from its baseline.
  const runFromGroup = selectedGroup && runSourceOfGroup(selectedGroup, nested);
  const runRow = selectedRow ?? defaultRunRow(nested);
  const runChoices = useMemo(() => baselineChoices(nested), [nested]);
  // A role that may not run sees Run disabled with the reason, not a failure after the click.
  const access = project.data?.access;
  const runDenied = access && !access.permissions['project:run'] ? access.reasons['project:run'] : undefined;
  const onRun = runDenied
    ? undefined
    : runFromGroup
      ? () => setRunFrom(runFromGroup)
      : runRow
        ? () => setRunFrom(runSourceOf(runRow))
        : undefined;
  const onOpen = selectedExp ? () => navigate(experimentPath(name, selectedExp)) : undefined;
  // Pins and the selection hold row keys; Compare is addressed by commits, each once.
  const chosenCommits = useMemo(() => {
    const byKey = new Map(nested.map((r) => [rowKey(r), r.rev]));
    return [...new Set(chosenRevs(pinned.revs, source).flatMap((k) => byKey.get(k) ?? []))];
  }, [nested, pinned.revs, source]);
  useRunKeys({ onRun, onOpen });
  const orderedColumns = useMemo(
    () => order.flatMap((id) => columnsById.get(id) ?? []),
    [order, columnsById],
  );

  const exportCsv = () => {
    const shown = tanstack
      .getVisibleLeafColumns()
      .filter((c) => !isFixed(c.id))
      .flatMap((c) => columnsById.get(c.id) ?? []);
    const rows = tanstack
      .getRowModel()
      .rows.map((r) => r.original)
      .filter((r) => !groupOf(r));
    downloadText(`${name}-experiments.csv`, toCsv(rows, shown));
  };

  const pending = data?.partial ? Math.max(0, data.total - data.rows.length) : 0;
  const filtering = text.trim() !== '' || view.conditions.length > 0 || view.liveOnly;

  let body;
  if (!data && table.error) {
    body = (
      <ErrorState title="Could not load the experiments table" error={table.error} onRetry={table.retry} />
    );
  } else if (!data) {
    body = <Skeleton rows={14} columns={7} />;
  } else if (data.total === 0 && data.rows.length === 0) {
    body = (
      <EmptyState title="No commits yet">
        <p className="muted">
          {data.hiddenCount > 0
            ? `All ${String(data.hiddenCount)} commits are hidden by [skip studio]; turn on "Hidden commits" to see them.`
            : 'Push a commit to the repository, then Reload.'}
        </p>
      </EmptyState>
    );
  } else {
    body = (
      <ExperimentsTable
        project={name}
        table={tanstack}
        columnsById={columnsById}
        pending={filtering ? 0 : pending}
        flashed={table.flashed}
        selected={selected}
        onSelect={setSelected}
        baseline={baseline}
        onBaseline={view.setBaseline}
        deltas={view.deltas && baseline !== undefined}
        order={order}
        onReorder={view.setOrder}
        view={view}
        pinned={pinned}
        experimentCounts={counts}
        sweeps={sweeps}
        goals={goals}
        onGoal={setGoal}
      />
    );
  }

  return (
    <div className="page page-full">
      <ProjectHeader name={name} project={project.data} onProject={(p) => project.setData(() => p)} />
      <TableToolbar
        view={view}
        text={text}
        onText={setText}
        columns={orderedColumns}
        columnsById={columnsById}
        baseline={baseline}
        selected={source === null ? null : (selectedRow?.rev ?? null)}
        onExport={exportCsv}
        filterRef={filterRef}
        onRun={onRun}
        runDenied={runDenied}
        onOpen={onOpen}
        foldable={counts.size}
        extra={
          <InsightsButtons
            project={name}
            chosen={chosenCommits}
            plotsOpen={plotsOpen}
            onPlots={() => setPlotsOpen((o) => !o)}
          />
        }
      />
      {data && table.error !== null && (
        <div className="banner banner-error" role="alert">
          Could not refresh the table: {errorMessage(table.error)}
          <button className="btn btn-sm" onClick={table.retry}>
            Retry
          </button>
        </div>
      )}
      <div className="table-area">{body}</div>
      {plotsOpen && (
        <PlotsPane
          project={name}
          rows={data?.rows ?? []}
          selected={source}
          pinned={pinned}
          onClose={() => setPlotsOpen(false)}
        />
      )}
      {runFrom && (
        <RunDrawer
          project={name}
          source={runFrom}
          choices={runChoices}
          onClose={() => setRunFrom(null)}
          onCreated={() => {
            setRunFrom(null);
            table.refresh();
          }}
        />
      )}
      {data && (
        <div className="statusbar">
          <span>
            <b>{filtered.length.toLocaleString()}</b>
            {filtering ? ` of ${data.rows.length.toLocaleString()}` : ''} rows
            {data.partial &&
              ` · loading ${data.rows.length.toLocaleString()} / ${data.total.toLocaleString()}…`}
          </span>
          <span>{columns.length.toLocaleString()} columns</span>
          {data.hiddenCount > 0 && (
            <span>
              {data.hiddenCount.toLocaleString()} hidden commit{data.hiddenCount === 1 ? '' : 's'}
              {view.showHidden ? ' shown' : ''}
            </span>
          )}
          <span className="muted statusbar-keys">
            ↑↓ select · space check · r run · ⏎ open · / filter · click header to sort, shift-click to add ·
            drag to reorder
          </span>
        </div>
      )}
    </div>
  );
}
