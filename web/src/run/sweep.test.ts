import { describe, expect, it } from 'vitest';
import { experimentCount, parseSweep, rangeCount, splitTopLevel } from './sweep.js';

describe('sweep syntax', () => {
  it('counts choice, range and comma lists', () => {
    expect(parseSweep('choice(0.1, 0.2)')).toEqual({ kind: 'sweep', count: 2 });
    expect(parseSweep('range(1,10,2)')).toEqual({ kind: 'sweep', count: 5 });
    expect(parseSweep('range(0, 3)')).toEqual({ kind: 'sweep', count: 3 });
    expect(parseSweep('0.1,0.2,0.3')).toEqual({ kind: 'sweep', count: 3 });
    expect(parseSweep('0.1')).toEqual({ kind: 'single' });
  });
  it('keeps lists and quoted commas as one value', () => {
    expect(parseSweep('[1, 2, 3]')).toEqual({ kind: 'single' });
    expect(parseSweep('"a,b"')).toEqual({ kind: 'single' });
    expect(splitTopLevel('[1,2],{a: 1, b: 2}')).toEqual(['[1,2]', '{a: 1, b: 2}']);
  });
  it('rejects broken sweeps with a reason', () => {
    expect(parseSweep('range(1)').kind).toBe('error');
    expect(parseSweep('range(1,5,0)').kind).toBe('error');
    expect(parseSweep('choice()').kind).toBe('error');
    expect(parseSweep('1,,2').kind).toBe('error');
  });
  it('handles float ranges and multiplies sizes', () => {
    expect(rangeCount(0.1, 0.5, 0.1)).toBe(4);
    expect(rangeCount(10, 0, -2)).toBe(5);
    expect(experimentCount([2, 3])).toBe(6);
    expect(experimentCount([])).toBe(1);
  });
});
