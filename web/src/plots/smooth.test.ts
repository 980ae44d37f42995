import { describe, expect, it } from 'vitest';
import { smooth } from './smooth.js';

describe('smooth', () => {
  it('returns the values unchanged at weight 0', () => {
    expect(smooth([1, 5, 2], 0)).toEqual([1, 5, 2]);
  });

  it('starts at the first value (debiased) and damps noise', () => {
    const out = smooth([10, 0, 10, 0, 10, 0], 0.8);
    expect(out[0]).toBeCloseTo(10);
    const spread = Math.max(...out.slice(2)) - Math.min(...out.slice(2));
    expect(spread).toBeLessThan(5);
  });

  it('passes NaN through without poisoning later points', () => {
    const out = smooth([1, Number.NaN, 1], 0.5);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[2]).toBeCloseTo(1);
  });
});
