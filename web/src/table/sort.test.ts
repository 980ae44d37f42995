import { describe, expect, it } from 'vitest';
import { compareValues, directedCompare } from './sort.js';

describe('sort', () => {
  it('orders numbers, then strings naturally, missing last', () => {
    const vals = [undefined, 'b10', 3, 'b2', 1, true];
    expect([...vals].sort(compareValues)).toEqual([1, 3, 'b2', 'b10', true, undefined]);
  });
  it('keeps missing values last in both directions', () => {
    // Array.prototype.sort moves undefined last by itself, so test the comparator with null.
    const vals = [null, 0.5, 0.9, null, 0.1];
    expect([...vals].sort((a, b) => directedCompare(a, b, true))).toEqual([0.9, 0.5, 0.1, null, null]);
    expect([...vals].sort((a, b) => directedCompare(a, b, false))).toEqual([0.1, 0.5, 0.9, null, null]);
    expect(directedCompare(undefined, 1, true)).toBe(1);
  });
});
