import { describe, expect, it } from 'vitest';
import type { TableRow } from '../../../src/contracts/api.js';
import { findRows, metricLines } from './metrics.js';

const row = (p: Partial<TableRow>): TableRow => ({
  rev: 'r',
  message: '',
  author: '',
  date: '',
  branches: [],
  tags: [],
  hidden: false,
  parents: [],
  params: {},
  metrics: {},
  errors: {},
  ...p,
});

describe('experiment metrics', () => {
  it('pairs nested metrics with the baseline', () => {
    const base = row({ rev: 'b', metrics: { 'm.json': { acc: 0.8, eval: { f1: 0.5 } } } });
    const exp = row({ rev: 'e', name: 'x', baseline: 'b', metrics: { 'm.json': { acc: 0.9, loss: 0.1 } } });
    expect(findRows([base, exp], 'x', 'b')).toEqual({ row: exp, base });
    expect(metricLines(exp, base)).toEqual([
      { file: 'm.json', key: 'acc', value: 0.9, baseline: 0.8 },
      { file: 'm.json', key: 'loss', value: 0.1, baseline: undefined },
      { file: 'm.json', key: 'eval.f1', value: undefined, baseline: 0.5 },
    ]);
  });
});
