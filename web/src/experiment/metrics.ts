import type { TableRow, Value } from '../../../src/contracts/api.js';

export interface MetricLine {
  file: string;
  key: string;
  value: Value | undefined;
  baseline: Value | undefined;
}

function flatten(obj: Record<string, Value>, prefix: string, out: Map<string, Value>): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out.set(key, v);
  }
}

/** Every metric of the experiment or its baseline, side by side, by file then key. */
export function metricLines(row: TableRow | undefined, baseline: TableRow | undefined): MetricLine[] {
  const files = new Set([...Object.keys(row?.metrics ?? {}), ...Object.keys(baseline?.metrics ?? {})]);
  const lines: MetricLine[] = [];
  for (const file of [...files].sort()) {
    const mine = new Map<string, Value>();
    const base = new Map<string, Value>();
    flatten(row?.metrics[file] ?? {}, '', mine);
    flatten(baseline?.metrics[file] ?? {}, '', base);
    for (const key of new Set([...mine.keys(), ...base.keys()]))
      lines.push({ file, key, value: mine.get(key), baseline: base.get(key) });
  }
  return lines;
}

/** The experiment's row and its baseline's row in a table page. */
export function findRows(
  rows: readonly TableRow[],
  name: string,
  baseline: string,
): { row: TableRow | undefined; base: TableRow | undefined } {
  return {
    row: rows.find((r) => r.name === name && r.baseline === baseline),
    base: rows.find((r) => r.rev === baseline && r.baseline === undefined),
  };
}
