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
