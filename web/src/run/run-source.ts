import type { TableRow } from '../../../src/contracts/api.js';

export interface RunSource {
  rev: string;
  /** What the drawer's header says about the commit: its message or experiment name. */
  label: string;
}

/** One entry of the Run drawer's baseline picker. */
export interface BaselineChoice extends RunSource {
  group: 'Branches' | 'Tags' | 'Commits';
}

/**
 * Where a run from this row starts: a commit runs from itself; a finished experiment from its
 * result commit; one still in flight from its baseline (it has no commit of its own yet).
 */
export function runSourceOf(row: TableRow): RunSource {
  if (row.baseline === undefined) return { rev: row.rev, label: commitLabel(row) };
  if (row.status === 'succeeded' && /^[0-9a-f]{40}$/.test(row.rev))
    return { rev: row.rev, label: `experiment ${row.name ?? ''}`.trim() };
  return { rev: row.baseline, label: `baseline of ${row.name ?? 'the experiment'}` };
}

/** A commit's branches first (what people recognise), then its message. */
function commitLabel(row: TableRow): string {
  return row.branches.length > 0 ? `${row.branches.join(', ')} · ${row.message}` : row.message;
}

const DEFAULT_BRANCHES = ['main', 'master', 'trunk', 'develop'];

/**
 * The commit a run starts from when no row is chosen: the default branch's head, not whatever
 * commit is newest (after a CI commit the newest row is a feature branch).
 */
export function defaultRunRow(rows: readonly TableRow[]): TableRow | undefined {
  const commits = rows.filter((r) => r.baseline === undefined);
  for (const b of DEFAULT_BRANCHES) {
    const row = commits.find((r) => r.branches.includes(b));
    if (row) return row;
  }
  return commits.find((r) => r.branches.length > 0) ?? commits[0];
}

/** The picker's choices: every branch and tag, then the newest commits (at most `limit`). */
export function baselineChoices(rows: readonly TableRow[], limit = 200): BaselineChoice[] {
  const commits = rows.filter((r) => r.baseline === undefined);
  const branches = commits.flatMap((r) =>
    r.branches.map((b): BaselineChoice => ({ rev: r.rev, label: b, group: 'Branches' })),
  );
  const tags = commits.flatMap((r) =>
    r.tags.map((t): BaselineChoice => ({ rev: r.rev, label: t, group: 'Tags' })),
  );
  const recent = commits
    .slice(0, limit)
    .map((r): BaselineChoice => ({ rev: r.rev, label: r.message, group: 'Commits' }));
  return [...branches, ...tags, ...recent];
}

/** The experiment name a row links to, for experiment rows only. */
export const experimentOf = (row: TableRow | undefined): string | undefined =>
  row?.baseline !== undefined ? row.name : undefined;
