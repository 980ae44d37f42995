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
  it('formats a delta to the precision its values are shown with', () => {
    expect(formatDelta(0.340567 - 0.335875, 0.340567, [0.340567, 0.335875])).toBe('+0.004692');
    expect(formatDelta(0.3 - 0.05, 0.3, [0.3, 0.05])).toBe('+0.25');
    expect(formatDelta(12 - 30, 12, [12, 30])).toBe('−18');
    // Smaller than the shown precision: still not zero.
    expect(formatDelta(0.5000001 - 0.5, 0.5, [0.5, 0.5])).toBe('+1.000e-7');
  });
});
