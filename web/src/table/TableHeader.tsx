import { useState, type DragEvent, type ReactNode } from 'react';
import type { Header, Table } from '@tanstack/react-table';
import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { headerSegments, leafName, moveIds } from './columns.js';
import { GROUP_ROW_HEIGHT, LEAF_ROW_HEIGHT } from './layout.js';
import { columnLabel } from './values.js';
import { FIXED_COLUMNS } from './use-experiments-table.js';
import { HeaderFilter } from './HeaderFilter.js';
import { TEXT_FILTERABLE, type Condition } from './filter.js';
import { columnGoal } from './goal.js';
import { nextGoal, type Goal, type Goals } from '../compare/goals.js';

const DRAG_TYPE = 'application/x-kiln-columns';
const FIXED_LABELS = { commit: 'Commit', author: 'Author', date: 'Date' } as const;

interface Props {
  table: Table<TableRow>;
  leaves: TableColumn[];
  offsets: number[];
  pinnedWidth: number;
  totalWidth: number;
  depth: number;
  range: { first: number; last: number };
  order: string[];
  onReorder: (order: string[]) => void;
  conditions: Condition[];
  onConditions: (c: Condition[]) => void;
  /** The select-all box over the row checkboxes. */
  selectAll: ReactNode;
  goals: Goals;
  onGoal: (column: string, goal: Goal | undefined) => void;
}

const GOAL_ICON = { higher: '↑', lower: '↓' } as const;

/** A metric header's goal: marked, read from the name (dimmed), or none; a click cycles the mark. */
function GoalToggle({ col, goals, onGoal }: { col: TableColumn; goals: Goals; onGoal: Props['onGoal'] }) {
  const marked = goals[col.id];
  const goal = columnGoal(col, goals);
  const name = leafName(col);
  const said = goal
    ? `${goal === 'higher' ? 'Higher' : 'Lower'} ${name} is better${marked ? '' : ' (from its name)'}`
    : `No goal for ${name}: deltas are not coloured`;
  return (
    <button
      className={`head-goal${marked ? ' marked' : ''}`}
      aria-label={`Goal for ${name}: ${goal ?? 'none'}`}
      title={`${said}. Click to mark higher, lower or neither.`}
      onClick={(e) => {
        e.stopPropagation();
        onGoal(col.id, nextGoal(marked));
      }}
      onMouseDown={(e) => e.stopPropagation()}
      draggable={false}
    >
      {goal ? GOAL_ICON[goal] : '↕'}
    </button>
  );
}

function SortMark({ dir, index }: { dir: false | 'asc' | 'desc'; index: number }) {
  if (!dir) return null;
  return (
    <span className="sort-mark">
      {dir === 'asc' ? '▲' : '▼'}
      {index > 0 && <sub>{index + 1}</sub>}
    </span>
  );
}

function Resizer({ header }: { header: Header<TableRow, unknown> }) {
  return (
    <span
      className={header.column.getIsResizing() ? 'resizer resizing' : 'resizer'}
      onMouseDown={header.getResizeHandler()}
      onClick={(e) => e.stopPropagation()}
      onDragStart={(e) => e.preventDefault()}
    />
  );
}

export function TableHeader({
  table,
  leaves,
  offsets,
  pinnedWidth,
  totalWidth,
  depth,
  range,
  order,
  onReorder,
  conditions,
  onConditions,
  selectAll,
  goals,
  onGoal,
}: Props) {
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const headers = new Map(table.getLeafHeaders().map((h) => [h.column.id, h]));

  const dragStart = (ids: string[]) => (e: DragEvent) => {
    e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(ids));
    e.dataTransfer.effectAllowed = 'move';
  };
  const dragOver = (targetId: string) => (e: DragEvent) => {
    if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
    e.preventDefault();
    setDropTarget(targetId);
  };
  const drop = (targetId: string) => (e: DragEvent) => {
    e.preventDefault();
    setDropTarget(null);
    const ids: unknown = JSON.parse(e.dataTransfer.getData(DRAG_TYPE) || '[]');
    if (Array.isArray(ids))
      onReorder(
        moveIds(
          order,
          ids.filter((x): x is string => typeof x === 'string'),
          targetId,
        ),
      );
  };

  const groupRows = Array.from({ length: depth }, (_, level) => {
    const segs = headerSegments(leaves, level).filter((s) => s.to >= range.first && s.from <= range.last);
    return (
      <div
        className="head-row head-group"
        key={level}
        style={{ height: GROUP_ROW_HEIGHT, width: totalWidth }}
      >
        <div className="pinned head-pinned" style={{ width: pinnedWidth }} />
        {segs.map((s) => {
          const left = offsets[s.from] ?? 0;
          const right = (offsets[s.to] ?? 0) + (headers.get(leaves[s.to]?.id ?? '')?.getSize() ?? 0);
          const ids = leaves.slice(s.from, s.to + 1).map((c) => c.id);
          return (
            <div
              key={s.key}
              className={`head-cell group-cell kind-${s.kind} level-${String(level)}`}
              style={{ left: pinnedWidth + left, width: right - left }}
              draggable
              onDragStart={dragStart(ids)}
              title={s.label}
            >
              <span className="group-label" style={{ left: pinnedWidth + 6 }}>
                {s.label}
              </span>
            </div>
          );
        })}
      </div>
    );
  });

  const leafCells = [];
  for (let i = range.first; i <= range.last; i++) {
    const col = leaves[i];
    const header = col && headers.get(col.id);
    if (!col || !header) continue;
    const sorted = header.column.getIsSorted();
    leafCells.push(
      <div
        key={col.id}
        className={`head-cell leaf-cell kind-${col.kind}${dropTarget === col.id ? ' drop-target' : ''}${sorted ? ' sorted' : ''}`}
        style={{ left: pinnedWidth + (offsets[i] ?? 0), width: header.getSize() }}
        title={`${columnLabel(col)}\n${col.types.join(' | ')}${col.min !== undefined ? `\nmin ${String(col.min)} · max ${String(col.max)}` : ''}\nclick: sort · shift-click: add to sort · drag: move`}
        draggable
        onDragStart={dragStart([col.id])}
        onDragOver={dragOver(col.id)}
        onDragLeave={() => setDropTarget(null)}
        onDrop={drop(col.id)}
        onClick={header.column.getToggleSortingHandler()}
        role="columnheader"
        aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
      >
        <HeaderFilter columnId={col.id} column={col} conditions={conditions} onConditions={onConditions} />
        {col.kind === 'metrics' && <GoalToggle col={col} goals={goals} onGoal={onGoal} />}
        <span className="leaf-label">{leafName(col)}</span>
        <SortMark dir={sorted} index={header.column.getSortIndex()} />
        <Resizer header={header} />
      </div>,
    );
  }

  return (
    <div className="grid-head" style={{ width: totalWidth }}>
      {groupRows}
      <div className="head-row head-leaf" role="row" style={{ height: LEAF_ROW_HEIGHT, width: totalWidth }}>
        <div className="pinned head-pinned" style={{ width: pinnedWidth }}>
          {FIXED_COLUMNS.map((id) => {
            const header = headers.get(id);
            if (!header) return null;
            const sorted = header.column.getIsSorted();
            return (
              <div
                key={id}
                className={`head-cell fixed-cell${header.column.getCanSort() ? ' sortable' : ''}`}
                style={{ width: header.getSize() }}
                onClick={header.column.getToggleSortingHandler()}
                role="columnheader"
              >
                {id === 'commit' && selectAll}
                <span className="leaf-label">{FIXED_LABELS[id]}</span>
                <SortMark dir={sorted} index={header.column.getSortIndex()} />
                {id in TEXT_FILTERABLE && (
                  <HeaderFilter
                    columnId={id}
                    column={undefined}
                    conditions={conditions}
                    onConditions={onConditions}
                  />
                )}
                <Resizer header={header} />
              </div>
            );
          })}
        </div>
        {leafCells}
      </div>
    </div>
  );
}
