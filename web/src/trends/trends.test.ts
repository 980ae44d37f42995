import { describe, expect, it } from 'vitest';
import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { trendSpec } from './trend-spec.js';
import { branchCommits, branchesOf, trendSeries } from './trends.js';

const commit = (rev: string, parents: string[], acc: number | string, branches: string[] = []): TableRow => ({
  rev,
  message: `commit ${rev}\nbody`,
  author: '',
  date: '2026-01-01T00:00:00Z',
  branches,
  tags: [],
  hidden: false,
  parents,
  params: {},
  metrics: { 'm.json': { acc } },
  errors: {},
});
const ACC: TableColumn = {
  id: 'metrics:m.json:acc',
  kind: 'metrics',
  file: 'm.json',
  path: ['acc'],
  types: ['number'],
};

const rows = [
  commit('d', ['c', 'x'], 0.9, ['main']),
  commit('x', ['b'], 0.1, ['feature']),
  commit('c', ['b'], 'n/a'),
  commit('b', ['a'], 0.7),
  commit('a', [], 0.5),
  { ...commit('e1', ['d'], 0.99), name: 'exp-1', baseline: 'd' },
];

describe('trends', () => {
  it('lists branches, main first', () => {
    expect(branchesOf(rows)).toEqual(['main', 'feature']);
  });

  it('follows first parents from the branch head, oldest first, skipping experiments', () => {
    expect(branchCommits(rows, 'main').map((r) => r.rev)).toEqual(['a', 'b', 'c', 'd']);
    expect(branchCommits(rows, 'feature').map((r) => r.rev)).toEqual(['a', 'b', 'x']);
  });

  it('steps over [skip studio] commits instead of ending the history there', () => {
    const hidden = rows.map((r) => (r.rev === 'b' || r.rev === 'd' ? { ...r, hidden: true } : r));
    expect(branchCommits(hidden, 'main').map((r) => r.rev)).toEqual(['a', 'c']);
    expect(trendSeries(hidden, 'feature', ACC).map((p) => p.value)).toEqual([0.5, 0.1]);
  });

  it('keeps commits without a number as gaps', () => {
    const s = trendSeries(rows, 'main', ACC);
    expect(s.map((p) => p.value)).toEqual([0.5, 0.7, null, 0.9]);
    expect(s[0]?.message).toBe('commit a');
  });
});

describe('trendSpec', () => {
  it('joins the real points with straight segments (a smoothed curve would dip below them)', () => {
    const spec = JSON.stringify(
      trendSpec(
        [0, 1, 2].map((index) => ({
          index,
          rev: `${String(index)}`.repeat(40),
          message: 'm',
          date: '2026-01-01T00:00:00Z',
          value: index ? 1 : 0,
        })),
        'acc',
      ),
    );
    expect(spec).toContain('"interpolate":"linear"');
    expect(spec).not.toMatch(/monotone|basis|cardinal|natural/);
  });
});
