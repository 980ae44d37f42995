import type { TableColumn, TableRow, Value } from './api.js';

/**
 * The value of one leaf column in one row, undefined when the row lacks the key: one reader for
 * the web table, the CLI's `exp table` and the server's packed pages. Some readers flatten
 * nested keys into one dotted key (`{"train.lr": 0.1}`); both shapes are read.
 */
export function valueAt(row: TableRow, col: Pick<TableColumn, 'kind' | 'file' | 'path'>): Value | undefined {
  const file = row[col.kind][col.file];
  if (!file) return undefined;
  let cur: Value | undefined = file;
  for (const key of col.path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[key];
    if (cur === undefined) return file[col.path.join('.')];
  }
  return cur;
}
