import { describe, expect, it } from 'vitest';
import { assignColors, PALETTE } from './colors.js';

describe('assignColors', () => {
  it('gives distinct palette colours in order', () => {
    const m = assignColors(['a', 'b', 'c'], new Map());
    expect([...m.values()]).toEqual(PALETTE.slice(0, 3));
  });

  it('keeps colours stable when experiments come and go', () => {
    const first = assignColors(['a', 'b', 'c'], new Map());
    const second = assignColors(['c', 'd'], first);
    expect(second.get('c')).toBe(first.get('c'));
    expect(second.get('d')).toBe(PALETTE[0]);
  });

  it('has no cap: 200 experiments get 200 distinct colours', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `e${String(i)}`);
    const m = assignColors(ids, new Map());
    expect(new Set(m.values()).size).toBe(200);
  });
});
