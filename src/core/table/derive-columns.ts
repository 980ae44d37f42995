import type { TableColumn, TableRow, Value } from '../../contracts/api.js';

type ValueType = TableColumn['types'][number];

function typeOf(v: Value): ValueType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

function isRecord(v: Value | undefined): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Acc {
  col: TableColumn;
  types: Set<ValueType>;
}

function visit(
  acc: Map<string, Acc>,
  kind: TableColumn['kind'],
  file: string,
  path: string[],
  v: Value,
): void {
  if (isRecord(v) && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) visit(acc, kind, file, [...path, k], child);
    return;
  }
  const id = `${kind}:${file}:${path.join('.')}`;
  let entry = acc.get(id);
  if (!entry) {
    entry = { col: { id, kind, file, path, types: [] }, types: new Set() };
    acc.set(id, entry);
  }
  entry.types.add(typeOf(v));
  if (typeof v === 'number' && Number.isFinite(v)) {
    entry.col.min = entry.col.min === undefined ? v : Math.min(entry.col.min, v);
    entry.col.max = entry.col.max === undefined ? v : Math.max(entry.col.max, v);
  }
}

/** One leaf column per dotted key of every params and metrics file seen in any row, in first-seen order. */
export function deriveColumns(rows: readonly TableRow[]): TableColumn[] {
  const acc = new Map<string, Acc>();
  for (const kind of ['params', 'metrics'] as const) {
    for (const row of rows) {
      for (const [file, values] of Object.entries(row[kind])) {
        for (const [k, v] of Object.entries(values)) visit(acc, kind, file, [k], v);
      }
    }
  }
  return [...acc.values()].map(({ col, types }) => ({ ...col, types: [...types].sort() }));
}
