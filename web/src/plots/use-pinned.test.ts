import { describe, expect, it } from 'vitest';
import { chosenRevs, revFollower } from './use-pinned.js';

describe('pins and the selection follow a run whose row changes rev', () => {
  it('maps a running experiment’s id to its result commit once saved', () => {
    const known = new Map<string, string>();
    const commit = { rev: 'c0ffee', name: undefined, baseline: undefined };
    const running = { rev: 'exp-id-1', name: 'calm-fox', baseline: 'c0ffee' };
    revFollower(known, [commit, running]);
    const moved = revFollower(known, [commit, { ...running, rev: 'abc123' }]);
    expect(moved('exp-id-1')).toBe('abc123');
    // Rows still present and revs never seen stay as they are.
    expect(moved('abc123')).toBeUndefined();
    expect(moved('c0ffee')).toBeUndefined();
    expect(moved('unknown')).toBeUndefined();
    // A removed experiment leaves its stale rev unmapped.
    expect(revFollower(known, [commit])('exp-id-1')).toBeUndefined();
  });

  it('chooses pinned rows first, then the selected one once', () => {
    expect(chosenRevs(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(chosenRevs(['a', 'b'], 'a')).toEqual(['a', 'b']);
    expect(chosenRevs([], null)).toEqual([]);
  });
});
