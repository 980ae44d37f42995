import { describe, expect, it } from 'vitest';
import type { TableRow } from './api.js';
import { valueAt } from './table-values.js';

const row = {
  params: { 'params.yaml': { train: { lr: 0.1, layers: [1, 2] }, 'data.split': 0.2 } },
  metrics: { 'm.json': { acc: 0.9 } },
} as unknown as TableRow;

describe('valueAt', () => {
  it('reads nested keys, dotted keys and nothing past a leaf', () => {
    expect(valueAt(row, { kind: 'params', file: 'params.yaml', path: ['train', 'lr'] })).toBe(0.1);
    expect(valueAt(row, { kind: 'params', file: 'params.yaml', path: ['data', 'split'] })).toBe(0.2);
    expect(valueAt(row, { kind: 'metrics', file: 'm.json', path: ['acc'] })).toBe(0.9);
    expect(valueAt(row, { kind: 'params', file: 'params.yaml', path: ['train', 'lr', 'x'] })).toBeUndefined();
    expect(
      valueAt(row, { kind: 'params', file: 'params.yaml', path: ['train', 'layers', '0'] }),
    ).toBeUndefined();
    expect(valueAt(row, { kind: 'params', file: 'other.yaml', path: ['a'] })).toBeUndefined();
  });
});
