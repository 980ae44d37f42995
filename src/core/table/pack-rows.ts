import type { PackedTableRow, TableColumn, TableRow, Value } from '../../contracts/api.js';

/** Column indices by key path, per `kind` and file: walking a row's files along it finds each cell once. */
interface Trie {
  index?: number;
  children?: Map<string, Trie>;
}

function isRecord(v: Value | undefined): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Packs rows against one column list (build once per list; see PackedTableRow). */
export class RowPacker {
  private readonly files = new Map<string, Trie>();

  constructor(readonly columns: readonly TableColumn[]) {
    columns.forEach((col, index) => {
      const fileKey = `${col.kind}\u0000${col.file}`;
      let node = this.files.get(fileKey);
      if (!node) this.files.set(fileKey, (node = {}));
      for (const key of col.path) {
        node.children ??= new Map();
        let next = node.children.get(key);
        if (!next) node.children.set(key, (next = {}));
        node = next;
      }
      node.index = index;
    });
  }

  pack(row: TableRow): PackedTableRow {
    const { params: _params, metrics: _metrics, ...meta } = row;
    return { ...meta, ...this.cells(row) };
  }

  /** The row's cells: `values` aligned to the columns, `nulls` where a file really says null. */
  cells(row: Pick<TableRow, 'params' | 'metrics'>): Pick<PackedTableRow, 'values' | 'nulls'> {
    const { params, metrics } = row;
    const values: Value[] = [];
    const nulls: number[] = [];
    const put = (node: Trie, v: Value): void => {
      if (node.index !== undefined) {
        while (values.length < node.index) values.push(null);
        values[node.index] = v;
        if (v === null) nulls.push(node.index);
      }
      if (!node.children || !isRecord(v)) return;
      for (const [k, child] of Object.entries(v)) {
        const next = node.children.get(k);
        if (next) put(next, child);
      }
    };
    for (const [kind, files] of [
      ['params', params],
      ['metrics', metrics],
    ] as const) {
      for (const [file, v] of Object.entries(files)) {
        const node = this.files.get(`${kind}\u0000${file}`);
        if (node) put(node, v);
      }
    }
    // Files are visited in their own key order, not the columns'.
    nulls.sort((a, b) => a - b);
    return nulls.length ? { values, nulls } : { values };
  }
}

/** One row in the compact encoding: its values aligned to `columns` (see PackedTableRow). */
export function packRow(row: TableRow, columns: readonly TableColumn[]): PackedTableRow {
  return new RowPacker(columns).pack(row);
}

type Cells = Pick<PackedTableRow, 'values' | 'nulls'>;

/** Runs shorter than this are cheaper to send as values than as a range. */
const MIN_RUN = 4;

/**
 * The row's cells as sent after `prev` in a page: runs of cells equal to the previous row's become
 * `same` ranges and leave `values`; `nulls` stays absolute. Unchanged when nothing worth it matches.
 */
export function againstPrevious(prev: Cells | null, cur: Cells): Cells & { same?: number[] } {
  if (!prev) return cur;
  const n = Math.max(prev.values.length, cur.values.length);
  // Null or absent is told by the row's own `nulls`, so a null cell matches either.
  const isSame = (i: number): boolean => (cur.values[i] ?? null) === (prev.values[i] ?? null);
  const same: number[] = [];
  for (let i = 0; i < n;) {
    if (!isSame(i)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isSame(j)) j++;
    if (j - i >= MIN_RUN) same.push(i, j);
    i = j;
  }
  if (same.length === 0) return cur;
  const values: Value[] = [];
  let r = 0;
  for (let i = 0; i < n; i++) {
    while (r < same.length && i >= (same[r + 1] ?? n)) r += 2;
    if (r < same.length && i >= (same[r] ?? n)) continue;
    values.push(cur.values[i] ?? null);
  }
  while (values.length > 0 && values[values.length - 1] === null) values.pop();
  return { ...cur, values, same };
}
