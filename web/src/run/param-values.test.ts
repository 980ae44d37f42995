import { describe, expect, it } from 'vitest';
import { formatParam, parseParam } from './param-values.js';

describe('typed param inputs', () => {
  it('keeps the baseline type', () => {
    expect(parseParam('0.01', 0.1)).toEqual({ kind: 'value', value: 0.01 });
    expect(parseParam('3', 'a')).toEqual({ kind: 'value', value: '3' });
    expect(parseParam('abc', 1).kind).toBe('error');
    expect(parseParam('false', true)).toEqual({ kind: 'value', value: false });
  });
  it('reads lists and dicts as YAML of the same shape', () => {
    expect(parseParam('[1, 2, 4]', [1, 2])).toEqual({ kind: 'value', value: [1, 2, 4] });
    expect(parseParam('a: 1\nb: x', { a: 0 })).toEqual({ kind: 'value', value: { a: 1, b: 'x' } });
    expect(parseParam('a: 1', [1]).kind).toBe('error');
    expect(parseParam('[1, 2', [1]).kind).toBe('error');
  });
  it('recognises sweeps on scalars only', () => {
    expect(parseParam('choice(0.1,0.2)', 0.1)).toEqual({ kind: 'sweep', text: 'choice(0.1,0.2)', count: 2 });
    expect(parseParam('1,2,3', 1)).toEqual({ kind: 'sweep', text: '1,2,3', count: 3 });
    expect(parseParam('[1,2],[3]', [1]).kind).toBe('error');
  });
  it('formats values for editing', () => {
    expect(formatParam([1, 2])).toBe('[ 1, 2 ]');
    expect(formatParam({ a: 1 })).toBe('a: 1');
    expect(formatParam(null)).toBe('null');
    expect(formatParam(0.1)).toBe('0.1');
  });
});
