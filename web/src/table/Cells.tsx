import { memo, useRef } from 'react';
import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import type { CommitCiSummary } from '../../../src/contracts/ci.js';
import { CiBadge } from '../ci/CiBadge.js';
import { LaunchNote } from '../ui/LaunchNote.js';
import { StatusChip } from '../ui/StatusChip.js';
import { shortDate } from '../ui/time.js';
import { delta, formatDelta } from './deltas.js';
import { judge, type Goal } from '../compare/goals.js';
import { sweepRange, type SweepGroup } from './rows.js';
import { STATUS_COLORS } from './status.js';
import { cellError, columnValue, formatNumber, formatValue, isNumber, rawValue, shortRev } from './values.js';

export const CommitCell = memo(function CommitCell({
  row,
  isBaseline,
  onBaseline,
  experiments,
  collapsed,
  onToggle,
  ci,
  inSweep = false,
}: {
  row: TableRow;
  isBaseline: boolean;
  onBaseline: (rev: string | null) => void;
  /** Experiment rows under this commit; a fold toggle shows when there are any. */
  experiments: number;
  collapsed: boolean;
  onToggle: (rev: string) => void;
  /** The commit's CI run, pull request and CML report, once fetched. */
  ci?: CommitCiSummary | undefined;
  /** An experiment shown under its sweep's group row: indented one step further. */
  inSweep?: boolean;
}) {
  const experiment = row.baseline !== undefined;
  return (
    <div className={experiment ? `commit commit-exp${inSweep ? ' commit-sweep' : ''}` : 'commit'}>
      {experiments > 0 && (
        <button
          className="fold"
          aria-expanded={!collapsed}
          aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${String(experiments)} experiment${experiments === 1 ? '' : 's'}`}
          title={`${collapsed ? 'Show' : 'Hide'} the experiments of this commit`}
          onMouseDown={(e) => e.stopPropagation()}
          onClick={() => onToggle(row.rev)}
        >
          {collapsed ? '▸' : '▾'}
          <span className="fold-count">{experiments}</span>
        </button>
      )}
      {experiment ? (
        <span className="exp-name" title={`${row.name ?? ''} · ${row.rev}`}>
          └ {row.name ?? shortRev(row.rev)}
        </span>
      ) : (
        <span className="sha" title={row.rev}>
          {shortRev(row.rev)}
        </span>
      )}
      {row.status && <StatusChip status={row.status} since={row.date} />}
      {row.status === 'queued' && row.launch && <LaunchNote launch={row.launch} compact />}
      {row.target !== undefined && row.target !== 'local' && (
        <span className="chip chip-target" title={`runs on the compute profile ${row.target}`}>
          {row.target}
        </span>
      )}
      {row.branches.map((b) => (
        <span key={`b:${b}`} className="chip chip-branch" title={`branch ${b}`}>
          {b}
        </span>
      ))}
      {row.tags.map((t) => (
        <span key={`t:${t}`} className="chip chip-tag" title={`tag ${t}`}>
          {t}
        </span>
      ))}
      <CiBadge summary={ci} compact />
      {row.hidden && (
        <span className="chip chip-hidden" title="Hidden by [skip studio]">
          hidden
        </span>
      )}
      <span className="message" title={row.message}>
        {row.message}
      </span>
      {isBaseline ? (
        <button
          className="chip chip-baseline"
          title="Baseline for deltas (click to clear)"
          onClick={() => onBaseline(null)}
        >
          baseline
        </button>
      ) : (
        <button
          className="set-baseline"
          title="Use as baseline for deltas"
          onClick={() => onBaseline(row.rev)}
        >
          ◇
        </button>
      )}
    </div>
  );
});

export function FixedCell({ id, row }: { id: 'author' | 'date'; row: TableRow }) {
  if (id === 'author') {
    return (
      <span className="cell-text" title={row.author}>
        {row.author}
      </span>
    );
  }
  return (
    <span className="cell-text mono" title={row.date}>
      {shortDate(row.date)}
    </span>
  );
}

/** Where this value sits between the column's min and max, drawn as a thin bar under metrics. */
function barWidth(col: TableColumn, v: number): string | undefined {
  if (col.kind !== 'metrics' || col.min === undefined || col.max === undefined || col.max <= col.min)
    return undefined;
  const f = Math.max(0, Math.min(1, (v - col.min) / (col.max - col.min)));
  return `${(f * 100).toFixed(1)}%`;
}

/** How many times `value` changed while this cell showed row `rev` (0 on a fresh row). */
function useChangeCount(rev: string, value: string | number | undefined): number {
  const seen = useRef({ rev, value, n: 0 });
  if (seen.current.rev !== rev) seen.current = { rev, value, n: 0 };
  else if (!Object.is(seen.current.value, value)) seen.current = { rev, value, n: seen.current.n + 1 };
  return seen.current.n;
}

export const ValueCell = memo(function ValueCell({
  row,
  col,
  baseline,
  deltas,
  goal,
}: {
  row: TableRow;
  col: TableColumn;
  baseline: TableRow | undefined;
  deltas: boolean;
  /** Which way is better for this column: colours the delta; none leaves it neutral. */
  goal?: Goal;
}) {
  const error = cellError(row, col);
  const v = error === undefined ? columnValue(row, col) : undefined;
  // A value that changed while shown (a live run reporting) flashes once; a new row does not.
  const n = useChangeCount(row.rev, error ?? (typeof v === 'number' ? v : JSON.stringify(v)));
  const flash = n > 0 ? ' cell-changed' : '';
  if (error !== undefined) {
    return (
      <span key={n} className={`cell-error${flash}`} title={`${col.file}: ${error}`}>
        ⚠ error
      </span>
    );
  }
  if (v === undefined) return <span className="cell-missing">—</span>;
  if (!isNumber(v)) {
    return (
      <span key={n} className={`cell-text${flash}`} title={rawValue(v)}>
        {formatValue(v)}
      </span>
    );
  }
  const bar = barWidth(col, v);
  const style = bar ? { backgroundSize: `${bar} 2px` } : undefined;
  // In delta mode every row but the baseline shows its difference; the value stays in the tooltip.
  const base = deltas && baseline && baseline !== row ? columnValue(baseline, col) : undefined;
  const d = delta(v, base);
  if (d === undefined) {
    return (
      <span key={n} className={`cell-num${flash}`} title={String(v)} style={style}>
        {formatValue(v)}
      </span>
    );
  }
  const verdict = judge(v, base, goal);
  const mood = verdict === 'better' || verdict === 'worse' ? ` ${verdict}` : '';
  const way = goal ? `; ${goal} is better` : '';
  return (
    <span
      key={n}
      className={`cell-num delta${mood}${flash}`}
      title={`${String(v)} (baseline ${rawValue(base)}${way})`}
      style={style}
    >
      {formatDelta(d, v, isNumber(base) ? [v, base] : [v])}
    </span>
  );
});

/** A sweep's group row in the commit column: fold, "sweep · N experiments", counts by status. */
export const SweepCell = memo(function SweepCell({
  group,
  collapsed,
  onToggle,
}: {
  group: SweepGroup;
  collapsed: boolean;
  onToggle: (id: string) => void;
}) {
  const n = group.members.length;
  return (
    <div className="commit commit-exp sweep-group">
      <button
        className="fold"
        aria-expanded={!collapsed}
        aria-label={`${collapsed ? 'Expand' : 'Collapse'} the sweep's ${String(n)} experiments`}
        title={`${collapsed ? 'Show' : 'Hide'} the experiments of this sweep`}
        onMouseDown={(e) => e.stopPropagation()}
        onClick={(e) => {
          e.stopPropagation();
          onToggle(group.id);
        }}
      >
        {collapsed ? '▸' : '▾'}
      </button>
      <span className="sweep-name" title={`sweep ${group.sweep}`}>
        sweep · {n} experiments
      </span>
      <span className="sweep-stats">
        {group.statuses.map(([status, count]) => (
          <span key={status} className="sweep-stat" style={{ color: STATUS_COLORS[status].fg }}>
            <i style={{ background: STATUS_COLORS[status].fg }} />
            {count} {status}
          </span>
        ))}
      </span>
    </div>
  );
});

/**
 * A group row's cell: the range of the sweep's numbers in this column where they differ (what the
 * sweep varies, and what came of it), else nothing.
 */
export const RangeCell = memo(function RangeCell({ group, col }: { group: SweepGroup; col: TableColumn }) {
  const range = sweepRange(group, col);
  if (!range) return null;
  const [lo, hi] = range;
  return (
    <span className="cell-range" title={`from ${String(lo)} to ${String(hi)} across the sweep`}>
      {formatNumber(lo)} – {formatNumber(hi)}
    </span>
  );
});
