import { ExperimentStatus, type TableColumn, type TableRow } from '../../../src/contracts/api.js';
import { isActive } from '../../../src/contracts/run-lifecycle.js';
import { cellError, columnValue, isNumber } from './values.js';

/**
 * Experiment rows right after their baseline commit (newest commits first, as the server sends them),
 * the experiments of one sweep next to each other; experiments whose baseline is not in the list go
 * to the top as "detached".
 */
export function nestExperiments(rows: readonly TableRow[]): TableRow[] {
  const commits: TableRow[] = [];
  const children = new Map<string, TableRow[]>();
  for (const r of rows) {
    if (r.baseline === undefined) commits.push(r);
    else children.set(r.baseline, [...(children.get(r.baseline) ?? []), r]);
  }
  const revs = new Set(commits.map((c) => c.rev));
  const detached = [...children.entries()]
    .filter(([base]) => !revs.has(base))
    .flatMap(([, exps]) => bySweep(exps));
  return [...detached, ...commits.flatMap((c) => [c, ...bySweep(children.get(c.rev) ?? [])])];
}

/** The experiments of one baseline with each sweep's together, where its first one was. */
function bySweep(exps: readonly TableRow[]): readonly TableRow[] {
  const sweeps = new Map<string, TableRow[]>();
  for (const r of exps) {
    if (r.sweep === undefined) continue;
    const members = sweeps.get(r.sweep);
    if (members) members.push(r);
    else sweeps.set(r.sweep, [r]);
  }
  if (sweeps.size === 0) return exps;
  return exps.flatMap((r) => {
    if (r.sweep === undefined) return [r];
    const members = sweeps.get(r.sweep) ?? [];
    sweeps.delete(r.sweep);
    return members;
  });
}

/** How many experiment rows sit under each baseline commit (group rows are not experiments). */
export function experimentCounts(rows: readonly TableRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows)
    if (r.baseline !== undefined && !groupOf(r)) out.set(r.baseline, (out.get(r.baseline) ?? 0) + 1);
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

/** An experiment still going: queued to saving (a live one that went quiet shows `stale`). */
export const isActiveRow = (r: TableRow): boolean => r.status !== undefined && isActive(r.status);

/** The "Live" filter: experiments still going, each under the commit it runs from. */
export function liveRows(rows: readonly TableRow[]): TableRow[] {
  const baselines = new Set(rows.filter(isActiveRow).map((r) => r.baseline ?? ''));
  return rows.filter((r) => isActiveRow(r) || (r.status === undefined && baselines.has(r.rev)));
}

/**
 * A row's identity in the grid (selection, checks, pins): a commit row is its commit, an experiment
 * row its experiment. A branch made from an experiment points at the same commit, yet it is
 * another row: checking one never checks the other. An experiment keeps its key from queued to
 * saved, when its rev turns from its id into its result commit.
 */
export const rowKey = (r: Pick<TableRow, 'rev' | 'name' | 'baseline'>): string =>
  r.name === undefined ? r.rev : `exp:${r.baseline ?? ''}/${r.name}`;

/** The grid row id of a sweep's group row, and its key in the fold state. */
export const sweepGroupId = (sweep: string): string => `sweep:${sweep}`;

/** Is this row id a group row's (never a commit's or an experiment's: those are hex or UUIDs)? */
export const isSweepGroupId = (id: string): boolean => id.startsWith('sweep:');

/** Statuses in the order a sweep's summary lists them (the contract's order: going, then done). */
const STATUS_ORDER = ExperimentStatus.options;

/** A sweep shown as one group row above its experiments, under the commit they run from. */
export interface SweepGroup {
  /** {@link sweepGroupId} of the sweep. */
  id: string;
  sweep: string;
  baseline: string;
  /** Every experiment of the sweep, in table order. */
  members: TableRow[];
  /** How many members are in each status, in {@link STATUS_ORDER}; statuses with none left out. */
  statuses: Array<[ExperimentStatus, number]>;
}

/**
 * Sweeps of two experiments or more, by {@link sweepGroupId}; a lone experiment left of a sweep
 * stays an ordinary row.
 */
export function sweepGroups(rows: readonly TableRow[]): Map<string, SweepGroup> {
  const members = new Map<string, TableRow[]>();
  for (const r of rows) {
    if (r.baseline === undefined || r.sweep === undefined) continue;
    const list = members.get(r.sweep);
    if (list) list.push(r);
    else members.set(r.sweep, [r]);
  }
  const out = new Map<string, SweepGroup>();
  for (const [sweep, list] of members) {
    if (list.length < 2) continue;
    const counts = new Map<ExperimentStatus, number>();
    for (const r of list) if (r.status) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    const id = sweepGroupId(sweep);
    out.set(id, {
      id,
      sweep,
      baseline: list[0]?.baseline ?? '',
      members: list,
      statuses: STATUS_ORDER.flatMap((s): Array<[ExperimentStatus, number]> => {
        const n = counts.get(s);
        return n ? [[s, n]] : [];
      }),
    });
  }
  return out;
}

// Kept off the enumerable keys, as packed rows keep their cells: a group row spreads as a plain row.
const GROUP = Symbol('sweep group');
type MaybeGroupRow = TableRow & { [GROUP]?: SweepGroup };
const groupRows = new WeakMap<SweepGroup, TableRow>();

/** The sweep a group row stands for; undefined for commit and experiment rows. */
export const groupOf = (row: TableRow): SweepGroup | undefined => (row as MaybeGroupRow)[GROUP];

/** The grid row of a group: one object per group, so memoized cells keep it between renders. */
function groupRow(g: SweepGroup): TableRow {
  const known = groupRows.get(g);
  if (known) return known;
  const first = g.members[0];
  const row: TableRow = {
    rev: g.id,
    message: `sweep · ${String(g.members.length)} experiments`,
    author: '',
    date: first?.date ?? '',
    branches: [],
    tags: [],
    hidden: false,
    parents: [g.baseline],
    params: {},
    metrics: {},
    errors: {},
    baseline: g.baseline,
    sweep: g.sweep,
  };
  Object.defineProperty(row, GROUP, { value: g, enumerable: false });
  groupRows.set(g, row);
  return row;
}

/**
 * The rows shown, with a group row before the first shown experiment of each sweep in `groups`:
 * a group shows when any of its experiments passed the filters, and a folded group hides them.
 * Expects each sweep's experiments next to each other, as {@link nestExperiments} puts them.
 */
export function withSweepGroups(
  rows: readonly TableRow[],
  groups: ReadonlyMap<string, SweepGroup>,
  isCollapsed: (id: string) => boolean,
): TableRow[] {
  if (groups.size === 0) return [...rows];
  const out: TableRow[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const g =
      r.sweep === undefined || r.baseline === undefined ? undefined : groups.get(sweepGroupId(r.sweep));
    if (!g) {
      out.push(r);
      continue;
    }
    if (!seen.has(g.id)) {
      seen.add(g.id);
      out.push(groupRow(g));
    }
    if (!isCollapsed(g.id)) out.push(r);
  }
  return out;
}

/** The lowest and highest number a sweep's experiments have in a column, when they differ. */
export function sweepRange(g: SweepGroup, col: TableColumn): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of g.members) {
    const v = cellError(r, col) === undefined ? columnValue(r, col) : undefined;
    if (!isNumber(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo < hi ? [lo, hi] : undefined;
}

/** Is `b` a new state of row `a`: the same rev, or the same experiment (that may have changed rev)? */
const sameRow = (a: TableRow, b: TableRow): boolean =>
  a.rev === b.rev || (a.name !== undefined && a.name === b.name && a.baseline === b.baseline);

/**
 * The rows with `row` (a live update) in place of the row it is a new state of; null when it is
 * none of them. An update built without the table's row may lack its sweep: it stays in its group.
 */
export function patchRows(rows: readonly TableRow[], row: TableRow): TableRow[] | null {
  const index = rows.findIndex((r) => sameRow(r, row));
  const old = rows[index];
  if (!old) return null;
  const out = rows.slice();
  out[index] = row.sweep === undefined && old.sweep !== undefined ? { ...row, sweep: old.sweep } : row;
  return out;
}
