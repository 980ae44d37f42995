import { useEffect, useMemo, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { Table } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { headerDepth } from './columns.js';
import { GROUP_ROW_HEIGHT, LEAF_ROW_HEIGHT, ROW_HEIGHT, prefixOffsets } from './layout.js';
import { TableHeader } from './TableHeader.js';
import { CommitCell, FixedCell, RangeCell, SweepCell, ValueCell } from './Cells.js';
import { groupOf, isSweepGroupId, rowKey, sweepGroupId, type SweepGroup } from './rows.js';
import { isFixed } from './use-experiments-table.js';
import type { TableView } from './use-table-view.js';
import type { Pinned } from '../plots/use-pinned.js';
import { shortRev } from './values.js';
import { RowCheck, SelectAll } from './RowCheck.js';
import { useVisibleCi } from './use-visible-ci.js';
import { columnGoal } from './goal.js';
import type { Goal, Goals } from '../compare/goals.js';
import './table.css';

interface Props {
  project: string;
  table: Table<TableRow>;
  columnsById: ReadonlyMap<string, TableColumn>;
  /** Rows still to come from the server: drawn as skeletons under the loaded ones. */
  pending: number;
  flashed: ReadonlySet<string>;
  selected: string | null;
  onSelect: (rev: string) => void;
  baseline: TableRow | undefined;
  onBaseline: (rev: string | null) => void;
  deltas: boolean;
  order: string[];
  onReorder: (order: string[]) => void;
  /** Header filters, folding of experiments under their commits. */
  view: TableView;
  /** The rows checked for plots and compare (the plots pane's pinned rows). */
  pinned: Pinned;
  /** Experiments under each commit, for the fold toggle. */
  experimentCounts: ReadonlyMap<string, number>;
  /** Sweeps shown as group rows (none while sorted), by group id: their experiments indent under them. */
  sweeps: ReadonlyMap<string, SweepGroup>;
  /** Metric goals the person marked (shared with Compare); others are read from the metric's name. */
  goals: Goals;
  onGoal: (column: string, goal: Goal | undefined) => void;
}

export function ExperimentsTable(props: Props) {
  const { table, columnsById, pending, flashed, selected, onSelect, baseline, onBaseline, deltas } = props;
  const { view, experimentCounts, sweeps, goals } = props;
  const pins = props.pinned;
  const scrollRef = useRef<HTMLDivElement>(null);
  const lastChecked = useRef<number | null>(null);
  const checked = useMemo(() => new Set(pins.revs), [pins.revs]);
  const rows = table.getRowModel().rows;
  // Group rows stand for their experiments: they are never checked, nor plotted, themselves.
  const records = useMemo(() => rows.filter((r) => !groupOf(r.original)), [rows]);
  const visible = table.getVisibleLeafColumns();
  const sizing = table.getState().columnSizing;

  const pinned = visible.filter((c) => isFixed(c.id));
  const pinnedWidth = pinned.reduce((w, c) => w + c.getSize(), 0);
  const leafColumns = visible.filter((c) => !isFixed(c.id));
  const leaves = useMemo(
    () => leafColumns.flatMap((c) => columnsById.get(c.id) ?? []),
    // Column objects change identity each render; their ids are what matter.
    [leafColumns.map((c) => c.id).join('\u0000'), columnsById],
  );
  const widths = leafColumns.map((c) => c.getSize());
  const { offsets, total } = useMemo(() => prefixOffsets(widths), [widths.join(',')]);
  const depth = headerDepth(leaves);
  const headHeight = depth * GROUP_ROW_HEIGHT + LEAF_ROW_HEIGHT;
  const totalWidth = pinnedWidth + total;

  const rowV = useVirtualizer({
    count: rows.length + pending,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    paddingStart: headHeight,
    overscan: 6,
    // Both virtualizers listen to one scroll element; let React batch their updates into one render.
    useFlushSync: false,
  });
  const colV = useVirtualizer({
    horizontal: true,
    count: leafColumns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => widths[i] ?? 100,
    paddingStart: pinnedWidth,
    overscan: 2,
    useFlushSync: false,
  });
  useEffect(() => colV.measure(), [colV, sizing, pinnedWidth, leaves]);
  useEffect(() => rowV.measure(), [rowV, headHeight]);

  const vrows = rowV.getVirtualItems();
  const ci = useVisibleCi(
    props.project,
    vrows.flatMap((vr) => {
      const r = rows[vr.index]?.original;
      return r && r.baseline === undefined ? [r.rev] : [];
    }),
  );
  const vcols = colV.getVirtualItems();
  const range = { first: vcols[0]?.index ?? 0, last: vcols[vcols.length - 1]?.index ?? -1 };
  /** The scrolled columns on screen of one row, each cell placed at its column's offset. */
  const valueCells = (cell: (col: (typeof leaves)[number]) => ReactNode) =>
    vcols.map((vc) => {
      const col = leaves[vc.index];
      if (!col) return null;
      return (
        <div
          key={col.id}
          className="cell"
          role="gridcell"
          style={{ left: pinnedWidth + (offsets[vc.index] ?? 0), width: widths[vc.index] }}
        >
          {cell(col)}
        </div>
      );
    });
  const selectedIndex = selected === null ? -1 : rows.findIndex((r) => r.id === selected);
  const selectedRow = rows[selectedIndex]?.original;
  const selectedGroup = selectedRow && groupOf(selectedRow);

  /** Checks a sweep's experiments, or unchecks them all when they all are. */
  const checkGroup = (g: SweepGroup) => {
    const want = !g.members.every((m) => checked.has(rowKey(m)));
    for (const m of g.members) if (checked.has(rowKey(m)) !== want) pins.toggle(rowKey(m));
  };

  /** Folds or unfolds a sweep; folding away the selected experiment selects the group row instead. */
  const toggleGroup = (id: string) => {
    const g = sweeps.get(id);
    if (g && !view.isCollapsed(id) && g.members.some((m) => rowKey(m) === selected)) onSelect(id);
    view.toggleCollapsed(id);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // Space checks or unchecks the selected row, as its checkbox does.
    if (e.key === ' ' && selected !== null) {
      e.preventDefault();
      if (selectedGroup) checkGroup(selectedGroup);
      else if (!isSweepGroupId(selected)) pins.toggle(selected);
      return;
    }
    // On a sweep's group row, Enter folds or unfolds it, ← folds and → unfolds.
    if (selectedGroup && (e.key === 'Enter' || e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      e.preventDefault();
      const collapsed = view.isCollapsed(selectedGroup.id);
      if (e.key === 'Enter' || collapsed === (e.key === 'ArrowRight')) toggleGroup(selectedGroup.id);
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const next = Math.max(0, Math.min(rows.length - 1, selectedIndex + (e.key === 'ArrowDown' ? 1 : -1)));
    const row = rows[next];
    if (!row) return;
    onSelect(row.id);
    rowV.scrollToIndex(next, { align: 'auto' });
  };

  return (
    <div
      className="grid"
      ref={scrollRef}
      tabIndex={0}
      onKeyDown={onKeyDown}
      role="grid"
      aria-rowcount={rows.length}
    >
      <div className="grid-inner" style={{ width: totalWidth, height: rowV.getTotalSize() }}>
        <TableHeader
          table={table}
          leaves={leaves}
          offsets={offsets}
          pinnedWidth={pinnedWidth}
          totalWidth={totalWidth}
          depth={depth}
          range={range}
          order={props.order}
          onReorder={props.onReorder}
          conditions={view.conditions}
          onConditions={view.setConditions}
          selectAll={<SelectAll rows={records} checked={checked} pinned={pins} />}
          goals={goals}
          onGoal={props.onGoal}
        />
        {vrows.map((vr) => {
          const row = rows[vr.index];
          const style = { top: vr.start, height: ROW_HEIGHT, width: totalWidth };
          if (!row) {
            return (
              <div key={`s${String(vr.index)}`} className="row row-skeleton" style={style}>
                <div className="pinned" style={{ width: pinnedWidth }}>
                  <span className="skeleton-bar" style={{ width: `${String(30 + (vr.index % 5) * 10)}%` }} />
                </div>
              </div>
            );
          }
          const r = row.original;
          const group = groupOf(r);
          if (group) {
            const collapsed = view.isCollapsed(group.id);
            const some = group.members.some((m) => checked.has(rowKey(m)));
            const all = some && group.members.every((m) => checked.has(rowKey(m)));
            return (
              <div
                key={row.id}
                className={`row group-row${row.id === selected ? ' selected' : ''}`}
                style={style}
                onMouseDown={() => onSelect(row.id)}
                onClick={() => toggleGroup(group.id)}
                role="row"
                aria-selected={row.id === selected}
                aria-expanded={!collapsed}
              >
                <div className="pinned" style={{ width: pinnedWidth }}>
                  {pinned.map((c) => (
                    <div
                      key={c.id}
                      className={`cell fixed-${c.id}`}
                      role="gridcell"
                      style={{ width: c.getSize() }}
                    >
                      {c.id === 'commit' && (
                        <>
                          <RowCheck
                            label={`Select the sweep's ${String(group.members.length)} experiments`}
                            checked={all}
                            indeterminate={some && !all}
                            onCheck={() => checkGroup(group)}
                          />
                          <SweepCell group={group} collapsed={collapsed} onToggle={toggleGroup} />
                        </>
                      )}
                    </div>
                  ))}
                </div>
                {valueCells((col) => (
                  <RangeCell group={group} col={col} />
                ))}
              </div>
            );
          }
          const cls = `row${row.id === selected ? ' selected' : ''}${r.hidden ? ' hidden-row' : ''}${baseline?.rev === r.rev ? ' baseline-row' : ''}${vr.index % 2 ? ' odd' : ''}${flashed.has(r.rev) ? ' flash' : ''}`;
          return (
            <div
              key={row.id}
              className={cls}
              style={style}
              onMouseDown={() => onSelect(row.id)}
              role="row"
              aria-selected={row.id === selected}
            >
              <div className="pinned" style={{ width: pinnedWidth }}>
                {pinned.map((c) => (
                  <div
                    key={c.id}
                    className={`cell fixed-${c.id}`}
                    role="gridcell"
                    style={{ width: c.getSize() }}
                  >
                    {c.id === 'commit' ? (
                      <>
                        <RowCheck
                          label={`Select ${r.name ?? shortRev(r.rev)}`}
                          checked={checked.has(row.id)}
                          onCheck={(shift) => {
                            const from = shift ? lastChecked.current : null;
                            lastChecked.current = vr.index;
                            const want = !checked.has(row.id);
                            const lo = Math.min(from ?? vr.index, vr.index);
                            const hi = Math.max(from ?? vr.index, vr.index);
                            for (const other of rows.slice(lo, hi + 1))
                              if (!groupOf(other.original) && checked.has(other.id) !== want)
                                pins.toggle(other.id);
                          }}
                        />
                        <CommitCell
                          row={r}
                          isBaseline={baseline?.rev === r.rev}
                          onBaseline={onBaseline}
                          experiments={r.baseline === undefined ? (experimentCounts.get(r.rev) ?? 0) : 0}
                          collapsed={view.isCollapsed(r.rev)}
                          onToggle={view.toggleCollapsed}
                          ci={ci[r.rev]}
                          inSweep={r.sweep !== undefined && sweeps.has(sweepGroupId(r.sweep))}
                        />
                      </>
                    ) : c.id === 'author' || c.id === 'date' ? (
                      <FixedCell id={c.id} row={r} />
                    ) : null}
                  </div>
                ))}
              </div>
              {valueCells((col) => (
                <ValueCell
                  row={r}
                  col={col}
                  baseline={baseline}
                  deltas={deltas}
                  goal={deltas ? columnGoal(col, goals) : undefined}
                />
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
