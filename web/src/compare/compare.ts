import type { TableColumn, TableRow, Value } from '../../../src/contracts/api.js';
import { columnValue } from '../table/values.js';
import { bestIndexes, judge, type Goals, type Verdict } from './goals.js';

export interface CompareCell {
  value: Value | undefined;
  /** value − first column's value, numbers only; undefined for the first column. */
  delta: number | undefined;
  verdict: Verdict;
  best: boolean;
}

export interface CompareLine {
  column: TableColumn;
  cells: CompareCell[];
  /** Some column differs from the first. */
  changed: boolean;
}

export interface Comparison {
  params: CompareLine[];
  metrics: CompareLine[];
  /** Param/metric files whose values differ from the first column's, per column. */
  changedFiles: string[][];
}

const same = (a: Value | undefined, b: Value | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

function line(column: TableColumn, rows: readonly TableRow[], goals: Goals): CompareLine {
  const values = rows.map((r) => columnValue(r, column));
  const first = values[0];
  const goal = goals[column.id];
  const best = new Set(rows.length > 1 ? bestIndexes(values, goal) : []);
  const cells = values.map((value, i) => ({
    value,
    delta: i > 0 && typeof value === 'number' && typeof first === 'number' ? value - first : undefined,
    verdict: i > 0 ? judge(value, first, goal) : 'none',
    best: best.has(i),
  }));
  return { column, cells, changed: values.some((v) => !same(v, first)) };
}

/** Chosen rows side by side: the first is the reference for deltas; goals pick the best. */
export function compareRows(
  rows: readonly TableRow[],
  columns: readonly TableColumn[],
  goals: Goals,
): Comparison {
  const present = (c: TableColumn) => rows.some((r) => columnValue(r, c) !== undefined);
  const lines = columns.filter(present).map((c) => line(c, rows, goals));
  const files = (kind: 'params' | 'metrics', r: TableRow, first: TableRow | undefined) =>
    Object.keys({ ...r[kind], ...(first?.[kind] ?? {}) }).filter((f) => !same(r[kind][f], first?.[kind][f]));
  const first = rows[0];
  return {
    params: lines.filter((l) => l.column.kind === 'params'),
    metrics: lines.filter((l) => l.column.kind === 'metrics'),
    changedFiles: rows.map((r, i) =>
      i === 0 ? [] : [...files('params', r, first), ...files('metrics', r, first)],
    ),
  };
}
