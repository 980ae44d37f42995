import { describe, expect, it } from 'vitest';
import { rowKey } from '../table/rows.js';
import { chosenRevs } from './use-pinned.js';

describe('pins and the selection hold row keys', () => {
  it('tells an experiment row from the branch row made from it, and keeps a run’s key once saved', () => {
    const sha = 'abc123'.padEnd(40, '0');
    const branch = { rev: sha, name: undefined, baseline: undefined };
    const running = { rev: 'exp-id-1', name: 'calm-fox', baseline: 'c0ffee' };
    const saved = { ...running, rev: sha };
    expect(rowKey(saved)).not.toBe(rowKey(branch));
    expect(rowKey(branch)).toBe(sha);
    expect(rowKey(saved)).toBe(rowKey(running));
  });

  it('chooses pinned rows first, then the selected one once', () => {
    expect(chosenRevs(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(chosenRevs(['a', 'b'], 'a')).toEqual(['a', 'b']);
    expect(chosenRevs([], null)).toEqual([]);
  });
});
