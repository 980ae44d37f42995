import { describe, expect, it } from 'vitest';
import { accuracy, lr, rows } from './fixtures.js';
import { cellError, columnValue, formatNumber, formatValue } from './values.js';
import { delta, formatDelta } from './deltas.js';

describe('values', () => {
  it('reads nested and dotted keys', () => {
    expect(columnValue(rows[0]!, lr)).toBe(0.01);
    const flat = { ...rows[0]!, params: { 'params.yaml': { 'train.lr': 3 } } };
    expect(columnValue(flat, lr)).toBe(3);
    expect(columnValue(rows[2]!, accuracy)).toBeUndefined();
  });
  it('reports the file error for its cells', () => {
    expect(cellError(rows[2]!, lr)).toContain('YAML');
    expect(cellError(rows[0]!, lr)).toBeUndefined();
  });
  it('formats compactly', () => {
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatValue({ a: [1] })).toBe('{"a":[1]}');
    expect(formatValue(null)).toBe('null');
  });
  it('computes deltas from a baseline', () => {
    expect(delta(0.91, 0.82)).toBeCloseTo(0.09);
    expect(delta('x', 1)).toBeUndefined();
    expect(formatDelta(0.09)).toBe('+0.09');
    expect(formatDelta(-2)).toBe('−2');
    expect(formatDelta(0.1 + 0.2 - 0.3)).toBe('±0');
  });
});
