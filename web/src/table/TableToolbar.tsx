import type { ReactNode, RefObject } from 'react';
import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { ColumnsMenu } from './ColumnsMenu.js';
import { FilterBar } from './FilterBar.js';
import type { TableView } from './use-table-view.js';
import { shortRev } from './values.js';

interface Props {
  view: TableView;
  text: string;
  onText: (t: string) => void;
  columns: TableColumn[];
  columnsById: ReadonlyMap<string, TableColumn>;
  baseline: TableRow | undefined;
  selected: string | null;
  onExport: () => void;
  filterRef: RefObject<HTMLInputElement | null>;
  /** Opens the Run drawer from the selected row; absent or undefined disables the button. */
  onRun?: () => void;
  /** Why the caller may not run here (their role): the button is disabled and says so. */
  runDenied?: string | undefined;
  /** Opens the selected experiment's page (experiment rows only). */
  onOpen?: () => void;
  /** Plots, Compare, Trends, CI wizard (web/src/plots/InsightsButtons.tsx). */
  extra?: ReactNode;
  /** Commits with experiments under them; the fold-all button shows when there are any. */
  foldable?: number;
}

export function TableToolbar({
  view,
  text,
  onText,
  columns,
  columnsById,
  baseline,
  selected,
  onExport,
  filterRef,
  onRun,
  runDenied,
  onOpen,
  extra,
  foldable = 0,
}: Props) {
  return (
    <div className="toolbar">
      <FilterBar
        text={text}
        onText={onText}
        conditions={view.conditions}
        onConditions={view.setConditions}
        columns={columns}
        columnsById={columnsById}
        inputRef={filterRef}
      />
      <div className="toolbar-group">
        {/* Always there (disabled when it cannot act) so the toolbar never moves as rows arrive. */}
        <button
          className="btn"
          disabled={!onOpen}
          onClick={onOpen}
          title={onOpen ? 'Open the selected experiment (Enter)' : 'Select an experiment row to open it'}
        >
          Open ↗
        </button>
        <button
          className="btn btn-primary"
          disabled={!onRun || runDenied !== undefined}
          onClick={onRun}
          title={runDenied ?? 'Run from the selected commit, or the default branch (r)'}
          aria-describedby={runDenied ? 'run-denied' : undefined}
        >
          ▶ Run
        </button>
        {runDenied && (
          <span id="run-denied" className="muted run-denied" role="note">
            {runDenied}
          </span>
        )}
        <label className="switch" title="Show commits whose message holds [skip studio]">
          <input
            type="checkbox"
            checked={view.showHidden}
            onChange={(e) => view.setShowHidden(e.target.checked)}
          />
          <span>Hidden commits</span>
        </label>
        <label className="switch" title="Only experiments still going, under the commits they run from">
          <input
            type="checkbox"
            checked={view.liveOnly}
            onChange={(e) => view.setLiveOnly(e.target.checked)}
          />
          <span>Live</span>
        </label>
        <button
          className="btn btn-fold"
          disabled={foldable === 0}
          onClick={() => view.setCollapseAll(!view.collapseAll)}
          title={
            foldable === 0
              ? 'No commit has experiments under it yet'
              : view.collapseAll
                ? 'Show the experiments under every commit'
                : 'Fold the experiments under their commits'
          }
        >
          {view.collapseAll ? '▸ Expand all' : '▾ Collapse all'}
        </button>
        <div className="segmented" title="Compare numbers with a baseline row">
          {baseline ? (
            <button className="seg" onClick={() => view.setBaseline(null)} title="Clear baseline">
              Baseline <span className="mono">{baseline.name ?? shortRev(baseline.rev)}</span> ×
            </button>
          ) : (
            <button
              className="seg"
              disabled={selected === null}
              onClick={() => view.setBaseline(selected)}
              title="Use the selected row as baseline"
            >
              Set baseline
            </button>
          )}
          <button
            className={view.deltas ? 'seg active' : 'seg'}
            aria-pressed={view.deltas}
            disabled={!baseline}
            onClick={() => view.setDeltas(!view.deltas)}
          >
            Δ Deltas
          </button>
        </div>
        <ColumnsMenu
          columns={columns}
          hidden={view.hidden}
          onChange={view.setHidden}
          onResetOrder={() => view.setOrder([])}
        />
        <button className="btn" onClick={onExport} title="Download the rows and columns shown, as CSV">
          Export CSV
        </button>
        {extra}
      </div>
    </div>
  );
}
