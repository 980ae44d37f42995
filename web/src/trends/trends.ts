import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { columnValue } from '../table/values.js';

export interface TrendPoint {
  rev: string;
  date: string;
  message: string;
  /** Position on the branch, 0 = oldest shown. */
  index: number;
  value: number | null;
}

/** Branch names that head a commit row, default branches first. */
export function branchesOf(rows: readonly TableRow[]): string[] {
  const names = new Set(rows.filter((r) => r.name === undefined).flatMap((r) => r.branches));
  const rank = (b: string) => (b === 'main' || b === 'master' ? 0 : 1);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * The branch's first-parent history among the loaded commits, oldest first. `[skip studio]`
 * commits (loaded with `all`) are walked through, not shown: hiding one must not cut the history.
 */
export function branchCommits(rows: readonly TableRow[], branch: string): TableRow[] {
  const commits = new Map(rows.filter((r) => r.name === undefined).map((r) => [r.rev, r]));
  let cur = [...commits.values()].find((r) => r.branches.includes(branch));
  const out: TableRow[] = [];
  const seen = new Set<string>();
  while (cur && !seen.has(cur.rev)) {
    seen.add(cur.rev);
    if (!cur.hidden) out.push(cur);
    const parent = cur.parents[0];
    cur = parent === undefined ? undefined : commits.get(parent);
  }
  return out.reverse();
}

/** A metric over the commits of a branch; commits without a number keep their place with null. */
export function trendSeries(rows: readonly TableRow[], branch: string, column: TableColumn): TrendPoint[] {
  return branchCommits(rows, branch).map((r, index) => {
    const v = columnValue(r, column);
    return {
      rev: r.rev,
      date: r.date,
      message: r.message.split('\n')[0] ?? '',
      index,
      value: typeof v === 'number' && Number.isFinite(v) ? v : null,
    };
  });
}
