import type { PackedTableRow, TableColumn, TableRow, Value } from '../../contracts/api.js';
import { valueAt } from './derive-columns.js';

/** One row in the compact encoding: its values aligned to `columns` (see PackedTableRow). */
export function packRow(row: TableRow, columns: readonly TableColumn[]): PackedTableRow {
  const { params: _params, metrics: _metrics, ...meta } = row;
  const values: Value[] = [];
  let nulls: number[] | undefined;
  let end = 0;
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i];
    const v = col ? valueAt(row, col) : undefined;
    if (v === undefined) {
      values.push(null);
      continue;
    }
    if (v === null) (nulls ??= []).push(i);
    values.push(v);
    end = i + 1;
  }
  values.length = end;
  return nulls ? { ...meta, values, nulls } : { ...meta, values };
}
