import { describe, expect, it } from 'vitest';
import { assignColors, PALETTE, preferredColor } from './colors.js';

describe('assignColors', () => {
  it('gives an experiment the same colour whatever else is plotted with it', () => {
    const alone = assignColors(['dandy-coda']).get('dandy-coda');
    expect(alone).toBe(preferredColor('dandy-coda'));
    const names = Array.from({ length: 40 }, (_, i) => `exp-${String(i)}`);
    // Every other experiment that does not ask for the same colour leaves it alone.
    for (const other of names.filter((n) => preferredColor(n) !== alone))
      expect(assignColors([other, 'dandy-coda']).get('dandy-coda')).toBe(alone);
  });

  it('keeps distinct colours in one plot when two names ask for the same one', () => {
    const names = Array.from({ length: 200 }, (_, i) => `e${String(i)}`);
    const a = names[0] ?? '';
    const b = names.find((n) => n !== a && preferredColor(n) === preferredColor(a)) ?? '';
    expect(b).not.toBe('');
    const m = assignColors([b, a]);
    expect(m.get(a)).not.toBe(m.get(b));
    // The first by name keeps its colour, in either order of selection.
    const first = a < b ? a : b;
    expect(m.get(first)).toBe(preferredColor(first));
    expect(assignColors([a, b])).toEqual(new Map([...m].reverse()));
  });

  it('uses the palette first and has no cap: 200 experiments get 200 distinct colours', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `e${String(i)}`);
    const m = assignColors(ids);
    expect(new Set(m.values()).size).toBe(200);
    expect(PALETTE.every((c) => [...m.values()].includes(c))).toBe(true);
  });
});
