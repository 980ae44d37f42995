import { describe, expect, it } from 'vitest';
import { attempts } from './timings.js';

describe('attempts', () => {
  it('opens a new attempt at each restart', () => {
    const tl = [
      { status: 'queued' as const, at: '1' },
      { status: 'starting' as const, at: '2' },
      { status: 'running' as const, at: '3' },
      { status: 'queued' as const, at: '4' },
      { status: 'starting' as const, at: '5' },
      { status: 'succeeded' as const, at: '6' },
    ];
    expect(attempts(tl).map((a) => a.entries.map((e) => e.at))).toEqual([
      ['1', '2', '3', '4'],
      ['5', '6'],
    ]);
    expect(attempts([])).toEqual([]);
  });
});
