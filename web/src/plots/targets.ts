import type { TableRow } from '../../../src/contracts/api.js';
import { rowKey } from '../table/rows.js';

/** What to ask the plots route for one chosen row, and what its legend says. */
export interface PlotTarget {
  /** What is fetched: a new rev (a run's result commit once saved) is fetched anew. */
  key: string;
  /** The table row it plots ({@link rowKey}): what pins hold. */
  row: string;
  label: string;
  /** Live/experiment name (`exp=`), tried first for experiment rows. */
  exp: string | null;
  /** Commit sha (`rev=`). */
  rev: string | null;
  /** A saved experiment: its result commit holds every plot, the pipeline's as well as DVCLive's. */
  saved: boolean;
}

const SHA = /^[0-9a-f]{40}$/i;

export function rowLabel(row: TableRow): string {
  return row.name ?? row.branches[0] ?? row.tags[0] ?? row.rev.slice(0, 7);
}

/** Targets for rows, labels made unique with a short sha when two rows would read the same. */
export function plotTargets(rows: readonly TableRow[]): PlotTarget[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(rowLabel(r), (counts.get(rowLabel(r)) ?? 0) + 1);
  return rows.map((r) => {
    const base = rowLabel(r);
    const label = (counts.get(base) ?? 0) > 1 ? `${base} (${r.rev.slice(0, 7)})` : base;
    return {
      key: r.rev,
      row: rowKey(r),
      label,
      exp: r.name ?? null,
      rev: SHA.test(r.rev) ? r.rev : null,
      saved: r.name !== undefined && (r.status === 'succeeded' || r.status === 'pushed') && SHA.test(r.rev),
    };
  });
}
