import type { TableRow } from '../../../src/contracts/api.js';

export interface RunSource {
  rev: string;
  /** What the drawer's header says about the commit: its message or experiment name. */
  label: string;
}

/**
 * Where a run from this row starts: a commit runs from itself; a finished experiment from its
 * result commit; one still in flight from its baseline (it has no commit of its own yet).
 */
export function runSourceOf(row: TableRow): RunSource {
  if (row.baseline === undefined) return { rev: row.rev, label: row.message };
  if (row.status === 'succeeded' && /^[0-9a-f]{40}$/.test(row.rev))
    return { rev: row.rev, label: `experiment ${row.name ?? ''}`.trim() };
  return { rev: row.baseline, label: `baseline of ${row.name ?? 'the experiment'}` };
}

/** The experiment name a row links to, for experiment rows only. */
export const experimentOf = (row: TableRow | undefined): string | undefined =>
  row?.baseline !== undefined ? row.name : undefined;
