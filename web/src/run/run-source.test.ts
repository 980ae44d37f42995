import { describe, expect, it } from 'vitest';
import type { TableRow } from '../../../src/contracts/api.js';
import { baselineChoices, defaultRunRow, experimentOf, runSourceOf } from './run-source.js';

const base: TableRow = {
  rev: 'a'.repeat(40),
  message: 'Train',
  author: 'me',
  date: '2024-01-01T00:00:00Z',
  branches: [],
  tags: [],
  hidden: false,
  parents: [],
  params: {},
  metrics: {},
  errors: {},
};

describe('run source', () => {
  it('runs commits from themselves and unfinished experiments from their baseline', () => {
    expect(runSourceOf(base).rev).toBe(base.rev);
    const queued = {
      ...base,
      rev: 'exp-id-1',
      name: 'calm-fox',
      baseline: base.rev,
      status: 'queued' as const,
    };
    expect(runSourceOf(queued).rev).toBe(base.rev);
    const done = { ...queued, rev: 'b'.repeat(40), status: 'succeeded' as const };
    expect(runSourceOf(done).rev).toBe('b'.repeat(40));
    expect(experimentOf(done)).toBe('calm-fox');
    expect(experimentOf(base)).toBeUndefined();
  });

  it('runs from the default branch when no row is chosen, not from a newer feature branch', () => {
    const feature = { ...base, rev: 'f'.repeat(40), branches: ['exp-calm-fox'] };
    const main = { ...base, rev: 'm'.repeat(40), branches: ['main'] };
    expect(defaultRunRow([feature, main])?.rev).toBe(main.rev);
    expect(defaultRunRow([base, feature])?.rev).toBe(feature.rev);
    expect(defaultRunRow([base])?.rev).toBe(base.rev);
    expect(baselineChoices([feature, main]).map((c) => `${c.group}:${c.label}`)).toEqual([
      'Branches:exp-calm-fox',
      'Branches:main',
      'Commits:Train',
      'Commits:Train',
    ]);
  });
});
