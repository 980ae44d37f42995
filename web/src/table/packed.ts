import type {
  PackedTablePage,
  PackedTableRow,
  TableColumn,
  TableRow,
  Value,
} from '../../../src/contracts/api.js';

interface Packed {
  index: ReadonlyMap<string, number>;
  values: readonly Value[];
  nulls: ReadonlySet<number> | null;
}

// Kept off the enumerable keys so a spread or JSON of the row is a plain TableRow.
const PACKED = Symbol('packed');
type WithPacked = TableRow & { [PACKED]?: Packed };

const isRecord = (v: Value | undefined): v is { [key: string]: Value } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function unpackFiles(p: Packed, columns: readonly TableColumn[], kind: TableColumn['kind']) {
  const out: Record<string, Record<string, Value>> = {};
  const last = Math.max(p.values.length - 1, ...(p.nulls ?? []));
  for (let i = 0; i <= last; i++) {
    const v = p.values[i] ?? null;
    const col = columns[i];
    if (!col || col.kind !== kind || (v === null && !p.nulls?.has(i))) continue;
    let dst = (out[col.file] ??= {});
    const depth = col.path.length - 1;
    for (let k = 0; k < depth; k++) {
      const key = col.path[k] ?? '';
      const next = dst[key];
      if (isRecord(next)) dst = next;
      else {
        const created: Record<string, Value> = {};
        dst[key] = created;
        dst = created;
      }
    }
    dst[col.path[depth] ?? ''] = v;
  }
  return out;
}

/** A property computed on first read, then a plain value (so spreads and assignments behave). */
function lazy<K extends 'params' | 'metrics'>(row: WithPacked, key: K, make: () => TableRow[K]): void {
  const settle = (value: TableRow[K]) =>
    Object.defineProperty(row, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(row, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = make();
      settle(value);
      return value;
    },
    set: settle,
  });
}

/** A row's cells from the previous row's and the ones it sent (see PackedTableRow's `same`). */
function withPrevious(prev: readonly Value[], sent: readonly Value[], same: readonly number[]): Value[] {
  const out: Value[] = [];
  let k = 0;
  let r = 0;
  const n = Math.max(prev.length, (same[same.length - 1] ?? 0) + sent.length);
  for (let i = 0; i < n; i++) {
    while (r < same.length && i >= (same[r + 1] ?? n)) r += 2;
    if (r < same.length && i >= (same[r] ?? n)) out.push(prev[i] ?? null);
    else out.push(k < sent.length ? (sent[k++] ?? null) : null);
  }
  // Trailing nulls say nothing: a real null is known from the row's `nulls`.
  while (out.length > 0 && out[out.length - 1] === null) out.pop();
  return out;
}

/**
 * Rows of a packed page as TableRows: the grid reads cells straight from the packed values
 * (columnValue), and `params`/`metrics` are rebuilt only for the few rows something else reads.
 */
export function unpackRows(page: Pick<PackedTablePage, 'columns' | 'rows'>): TableRow[] {
  const index = new Map(page.columns.map((c, i) => [c.id, i]));
  const columns = page.columns;
  let prev: readonly Value[] = [];
  return page.rows.map((packedRow: PackedTableRow) => {
    const { values: sent, nulls, same, ...meta } = packedRow;
    const values = same ? withPrevious(prev, sent, same) : sent;
    prev = values;
    const p: Packed = { index, values, nulls: nulls ? new Set(nulls) : null };
    const row: WithPacked = { ...meta, params: {}, metrics: {} };
    Object.defineProperty(row, PACKED, { value: p, enumerable: false });
    lazy(row, 'params', () => unpackFiles(p, columns, 'params'));
    lazy(row, 'metrics', () => unpackFiles(p, columns, 'metrics'));
    return row;
  });
}

export const NOT_PACKED = Symbol('not packed');

/**
 * The cell of a packed row, without building its files; NOT_PACKED when the row is a plain TableRow
 * (a live update) and the caller must walk its files.
 */
export function packedValue(row: WithPacked, col: TableColumn): Value | undefined | typeof NOT_PACKED {
  const p = row[PACKED];
  if (!p) return NOT_PACKED;
  const i = p.index.get(col.id);
  if (i === undefined) return undefined;
  const v = p.values[i] ?? null;
  if (v === null) return p.nulls?.has(i) ? null : undefined;
  return v;
}
