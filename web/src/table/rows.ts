import type { TableRow } from '../../../src/contracts/api.js';

/**
 * Experiment rows right after their baseline commit (newest commits first, as the server sends them);
 * experiments whose baseline is not in the list go to the top as "detached".
 */
export function nestExperiments(rows: readonly TableRow[]): TableRow[] {
  const commits: TableRow[] = [];
  const children = new Map<string, TableRow[]>();
  for (const r of rows) {
    if (r.baseline === undefined) commits.push(r);
    else children.set(r.baseline, [...(children.get(r.baseline) ?? []), r]);
  }
  const revs = new Set(commits.map((c) => c.rev));
  const detached = [...children.entries()].filter(([base]) => !revs.has(base)).flatMap(([, exps]) => exps);
  return [...detached, ...commits.flatMap((c) => [c, ...(children.get(c.rev) ?? [])])];
}

/** How many experiment rows sit under each baseline commit. */
export function experimentCounts(rows: readonly TableRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) if (r.baseline !== undefined) out.set(r.baseline, (out.get(r.baseline) ?? 0) + 1);
  return out;
}

/** Drops the experiments of collapsed commits; detached experiments (no commit row) always show. */
export function collapseExperiments(
  rows: readonly TableRow[],
  isCollapsed: (rev: string) => boolean,
): TableRow[] {
  const commits = new Set<string>();
  for (const r of rows) if (r.baseline === undefined) commits.add(r.rev);
  return rows.filter((r) => r.baseline === undefined || !commits.has(r.baseline) || !isCollapsed(r.baseline));
}

const ACTIVE = new Set(['queued', 'starting', 'running', 'saving']);

/** An experiment still going: queued to saving (a live one that went quiet shows `stale`). */
export const isActiveRow = (r: TableRow): boolean => r.status !== undefined && ACTIVE.has(r.status);

/** The "Live" filter: experiments still going, each under the commit it runs from. */
export function liveRows(rows: readonly TableRow[]): TableRow[] {
  const baselines = new Set(rows.filter(isActiveRow).map((r) => r.baseline ?? ''));
  return rows.filter((r) => isActiveRow(r) || (r.status === undefined && baselines.has(r.rev)));
}
