import { describe, expect, it } from 'vitest';
import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { compareRows } from './compare.js';
import { bestIndexes, judge, nextGoal, readGoals, writeGoals } from './goals.js';

const row = (rev: string, lr: number, acc: number): TableRow => ({
  rev,
  message: '',
  author: '',
  date: '',
  branches: [],
  tags: [],
  hidden: false,
  parents: [],
  params: { 'params.yaml': { train: { lr, seed: 1 } } },
  metrics: { 'eval/metrics.json': { acc } },
  errors: {},
});
const col = (id: string, kind: TableColumn['kind'], file: string, path: string[]): TableColumn => ({
  id,
  kind,
  file,
  path,
  types: ['number'],
});
const LR = col('params:params.yaml:train.lr', 'params', 'params.yaml', ['train', 'lr']);
const SEED = col('params:params.yaml:train.seed', 'params', 'params.yaml', ['train', 'seed']);
const ACC = col('metrics:eval/metrics.json:acc', 'metrics', 'eval/metrics.json', ['acc']);

describe('goals', () => {
  it('judges a value against the baseline by the goal', () => {
    expect(judge(0.9, 0.8, 'higher')).toBe('better');
    expect(judge(0.9, 0.8, 'lower')).toBe('worse');
    expect(judge(0.8, 0.8, 'lower')).toBe('same');
    expect(judge(0.9, 0.8, undefined)).toBe('none');
    expect(judge('x', 0.8, 'higher')).toBe('none');
  });

  it('finds every best value and cycles goals', () => {
    expect(bestIndexes([1, 3, 3, 'x'], 'higher')).toEqual([1, 2]);
    expect(bestIndexes([1, 3], 'lower')).toEqual([0]);
    expect(nextGoal(undefined)).toBe('higher');
    expect(nextGoal('lower')).toBeUndefined();
  });

  it('persists per project and ignores junk', () => {
    const m = new Map<string, string>();
    const storage = {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
    };
    writeGoals('demo', { a: 'lower' }, storage);
    expect(readGoals('demo', storage)).toEqual({ a: 'lower' });
    m.set('kiln:goals:demo', '{"a":"up","b":"higher"}');
    expect(readGoals('demo', storage)).toEqual({ b: 'higher' });
    expect(readGoals('other', storage)).toEqual({});
  });
});

describe('compareRows', () => {
  it('gives deltas vs the first column, the best under the goal, and changed files', () => {
    const c = compareRows([row('a', 0.1, 0.8), row('b', 0.2, 0.9), row('c', 0.1, 0.7)], [LR, SEED, ACC], {
      [ACC.id]: 'higher',
    });
    const acc = c.metrics[0];
    expect(acc?.cells.map((x) => x.best)).toEqual([false, true, false]);
    expect(acc?.cells[1]?.delta).toBeCloseTo(0.1);
    expect(acc?.cells.map((x) => x.verdict)).toEqual(['none', 'better', 'worse']);
    expect(c.params.map((l) => [l.column.id, l.changed])).toEqual([
      [LR.id, true],
      [SEED.id, false],
    ]);
    expect(c.changedFiles).toEqual([[], ['params.yaml', 'eval/metrics.json'], ['eval/metrics.json']]);
  });
});
