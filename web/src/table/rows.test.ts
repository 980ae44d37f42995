import { describe, expect, it } from 'vitest';
import type { TableRow } from '../../../src/contracts/api.js';
import { accuracy, columns, epochs, lr, rows } from './fixtures.js';
import { filterRows } from './filter.js';
import {
  collapseExperiments,
  experimentCounts,
  groupOf,
  liveRows,
  nestExperiments,
  patchRows,
  sweepGroupId,
  sweepGroups,
  sweepRange,
  withSweepGroups,
} from './rows.js';

describe('nestExperiments', () => {
  it('puts experiments under their baseline and detached ones first', () => {
    const exp = { ...rows[1]!, rev: 'e1', name: 'exp-1', baseline: rows[1]!.rev, status: 'running' as const };
    const lost = { ...rows[1]!, rev: 'e2', name: 'exp-2', baseline: 'gone', status: 'lost' as const };
    const out = nestExperiments([exp, ...rows, lost]).map((r) => r.rev.slice(0, 2));
    expect(out).toEqual(['e2', 'c3', 'b2', 'e1', 'a1']);
  });
});

describe('collapseExperiments', () => {
  const exp = { ...rows[1]!, rev: 'e1', name: 'exp-1', baseline: rows[1]!.rev, status: 'running' as const };
  const lost = { ...rows[1]!, rev: 'e2', name: 'exp-2', baseline: 'gone', status: 'lost' as const };
  const nested = nestExperiments([exp, ...rows, lost]);
  it('hides the experiments of collapsed commits only, never detached ones', () => {
    const revs = (rs: typeof rows) => rs.map((r) => r.rev.slice(0, 2));
    expect(revs(collapseExperiments(nested, () => true))).toEqual(['e2', 'c3', 'b2', 'a1']);
    expect(revs(collapseExperiments(nested, () => false))).toEqual(['e2', 'c3', 'b2', 'e1', 'a1']);
    expect(experimentCounts(nested)).toEqual(
      new Map([
        ['gone', 1],
        [rows[1]!.rev, 1],
      ]),
    );
  });
});

describe('liveRows', () => {
  it('keeps experiments still going, under the commits they run from, and nothing finished', () => {
    const running = {
      ...rows[1]!,
      rev: 'e1',
      name: 'exp-1',
      baseline: rows[1]!.rev,
      status: 'running' as const,
    };
    const queued = { ...rows[1]!, rev: 'e3', name: 'exp-3', baseline: 'gone', status: 'queued' as const };
    const done = {
      ...rows[2]!,
      rev: 'e4',
      name: 'exp-4',
      baseline: rows[2]!.rev,
      status: 'succeeded' as const,
    };
    const out = liveRows(nestExperiments([running, queued, done, ...rows])).map((r) => r.rev.slice(0, 2));
    expect(out).toEqual(['e3', 'b2', 'e1']);
    expect(liveRows(rows)).toEqual([]);
  });
});

describe('sweep groups', () => {
  const base = rows[1]!;
  const exp = (name: string, extra: Partial<TableRow>): TableRow => ({
    ...base,
    rev: `${name}-id`,
    name,
    baseline: base.rev,
    status: 'succeeded',
    ...extra,
  });
  // The server sends experiments newest first: a sweep's three interleaved with a lone run.
  const s1 = exp('s-1', { sweep: 'sw', status: 'running' });
  const lone = exp('lone', {});
  const s2 = exp('s-2', { sweep: 'sw', status: 'failed' });
  const s3 = exp('s-3', {
    sweep: 'sw',
    metrics: { 'eval/metrics.json': { accuracy: 0.5 } },
  });
  const single = exp('single', { sweep: 'other' });
  const nested = nestExperiments([s1, lone, s2, ...rows, s3, single]);
  const groups = sweepGroups(nested);
  const id = sweepGroupId('sw');
  const label = (rs: readonly TableRow[]) =>
    rs.map((r) => (groupOf(r) ? `[${r.message}]` : (r.name ?? r.rev.slice(0, 2))));
  const none = () => false;
  const byId = new Map(columns.map((c) => [c.id, c]));

  it('keeps a sweep together under its commit and counts its members by status', () => {
    expect(label(nested)).toEqual(['c3', 'b2', 's-1', 's-2', 's-3', 'lone', 'single', 'a1']);
    // A sweep left with one experiment is an ordinary row.
    expect([...groups.keys()]).toEqual([id]);
    const g = groups.get(id)!;
    expect(g.baseline).toBe(base.rev);
    expect(g.members.map((r) => r.name)).toEqual(['s-1', 's-2', 's-3']);
    expect(g.statuses).toEqual([
      ['running', 1],
      ['succeeded', 1],
      ['failed', 1],
    ]);
    // The commit's fold counts experiments, not group rows.
    expect(experimentCounts(nested).get(base.rev)).toBe(5);
    expect(experimentCounts(withSweepGroups(nested, groups, none)).get(base.rev)).toBe(5);
  });

  it('puts one group row above the sweep, and folds it on its own', () => {
    const shown = withSweepGroups(nested, groups, none);
    expect(label(shown)).toEqual([
      'c3',
      'b2',
      '[sweep · 3 experiments]',
      's-1',
      's-2',
      's-3',
      'lone',
      'single',
      'a1',
    ]);
    const row = shown[2]!;
    expect(row.rev).toBe(id);
    expect(groupOf(row)).toBe(groups.get(id));
    // The same row object on every call, so memoized cells keep it.
    expect(withSweepGroups(nested, groups, none)[2]).toBe(row);
    // A spread of it is a plain row, not a group.
    expect(groupOf({ ...row })).toBeUndefined();
    expect(groupOf(s1)).toBeUndefined();

    const folded = withSweepGroups(nested, groups, (k) => k === id);
    expect(label(folded)).toEqual(['c3', 'b2', '[sweep · 3 experiments]', 'lone', 'single', 'a1']);
    // Folding the commit hides the group row too: it has no experiment left to stand for.
    const commitFolded = collapseExperiments(nested, (k) => k === base.rev);
    expect(label(withSweepGroups(commitFolded, groups, none))).toEqual(['c3', 'b2', 'a1']);
  });

  it('shows a group when any of its experiments passes the filters, and only those', () => {
    const good = filterRows(nested, '', [{ columnId: accuracy.id, op: '<', value: 0.6 }], byId);
    expect(label(withSweepGroups(good, groups, none))).toEqual(['[sweep · 3 experiments]', 's-3']);
    // Folded, it still shows, as the one row that matched.
    expect(label(withSweepGroups(good, groups, () => true))).toEqual(['[sweep · 3 experiments]']);
    const nothing = filterRows(nested, 'no-such-thing', [], byId);
    expect(withSweepGroups(nothing, groups, none)).toEqual([]);
    // Live: only the running member, under its group and commit.
    expect(label(withSweepGroups(liveRows(nested), groups, none))).toEqual([
      'b2',
      '[sweep · 3 experiments]',
      's-1',
    ]);
  });

  it('gives a group the range of what its experiments vary, and nothing where they agree', () => {
    const g = groups.get(id)!;
    // s-1 and s-2 show their baseline's accuracy (0.82), s-3 its own.
    expect(sweepRange(g, accuracy)).toEqual([0.5, 0.82]);
    expect(sweepRange(g, epochs)).toBeUndefined();
    const varied = sweepGroups(
      nestExperiments([
        ...rows,
        exp('v-1', { sweep: 'v', params: { 'params.yaml': { train: { lr: 0.3, epochs: 10 } } } }),
        exp('v-2', { sweep: 'v', params: { 'params.yaml': { train: { lr: 0.1, epochs: 10 } } } }),
        exp('v-3', {
          sweep: 'v',
          params: { 'params.yaml': { train: { lr: 5 } } },
          errors: { 'params.yaml': 'bad YAML' },
        }),
      ]),
    ).get(sweepGroupId('v'))!;
    // v-3's params failed to parse: its lr counts for nothing.
    expect(sweepRange(varied, lr)).toEqual([0.1, 0.3]);
    expect(sweepRange(varied, accuracy)).toBeUndefined();
  });

  it('keeps the group when an experiment moves to its result commit or a live update replaces it', () => {
    const moved = nested.map((r) =>
      r === s2 ? { ...s2, rev: 'f'.repeat(40), status: 'succeeded' as const } : r,
    );
    const again = sweepGroups(nestExperiments(moved));
    expect(again.get(id)?.members.map((r) => r.rev)).toEqual(['s-1-id', 'f'.repeat(40), 's-3-id']);
    expect(again.get(id)?.statuses).toEqual([
      ['running', 1],
      ['succeeded', 2],
    ]);
    // A live update of s-1 that knows nothing of its sweep, under its new rev.
    const { sweep: _sweep, ...bare } = s1;
    const live: TableRow = { ...bare, rev: 'e'.repeat(40), status: 'saving' };
    const patched = patchRows(nested, live)!;
    expect(patched.filter((r) => r.name === 's-1').map((r) => [r.rev, r.sweep])).toEqual([
      ['e'.repeat(40), 'sw'],
    ]);
    expect(sweepGroups(patched).get(id)?.statuses).toEqual([
      ['saving', 1],
      ['succeeded', 1],
      ['failed', 1],
    ]);
    expect(patchRows(nested, { ...live, name: 'stranger', rev: 'x' })).toBeNull();
  });
});
