import { describe, expect, it } from 'vitest';
import { rows } from './fixtures.js';
import { collapseExperiments, experimentCounts, liveRows, nestExperiments } from './rows.js';

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
