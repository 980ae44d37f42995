import type { TableColumn, TableRow, Value } from '../../../src/contracts/api.js';
import { valueAt } from '../../../src/contracts/table-values.js';
import { NOT_PACKED, packedValue } from './packed.js';

/** The value of one leaf column in one row; undefined when the row lacks the key. */
export function columnValue(row: TableRow, col: TableColumn): Value | undefined {
  const packed = packedValue(row, col);
  return packed !== NOT_PACKED ? packed : valueAt(row, col);
}

/** The parser message for this column's file in this row, if the file failed to read. */
export function cellError(row: TableRow, col: TableColumn): string | undefined {
  return row.errors[col.file];
}

export function isNumber(v: Value | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Compact display: integers as-is, floats to 6 significant digits, containers as JSON. */
export function formatValue(v: Value | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return n.toExponential(3);
  return String(Number(n.toPrecision(6)));
}

/** The full-precision text used for tooltips and CSV. */
export function rawValue(v: Value | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function columnLabel(col: TableColumn): string {
  return `${col.kind} ${col.file} ${col.path.join('.')}`;
}

export const shortRev = (rev: string): string => rev.slice(0, 7);
