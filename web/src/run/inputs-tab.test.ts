import { describe, expect, it } from 'vitest';
import { FORM_INPUTS_MAX } from '../../../src/contracts/experiments.js';
import { isUntracked } from './InputsTab.js';

const inputs = [
  { path: 'data/dataset.csv', kind: 'dvc' as const, hidden: false },
  { path: 'README.md', kind: 'git' as const, hidden: true },
];

describe('a path typed in the Input data tab', () => {
  it('is refused as it is typed when the baseline tracks no such file, hidden ones included', () => {
    expect(isUntracked('data/other.csv', inputs)).toBe(true);
    expect(isUntracked('data/dataset.csv', inputs)).toBe(false);
    expect(isUntracked('README.md', inputs)).toBe(false);
  });

  it('is left to the server when the list may be cut (at the cap) or not loaded yet', () => {
    const full = Array.from({ length: FORM_INPUTS_MAX }, (_, i) => ({
      path: `f${i}`,
      kind: 'git' as const,
      hidden: true,
    }));
    expect(isUntracked('data/other.csv', full)).toBe(false);
    expect(isUntracked('data/other.csv', undefined)).toBe(false);
  });
});
