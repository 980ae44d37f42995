import { describe, expect, it } from 'vitest';
import { rows } from './fixtures.js';
import { nestExperiments } from './rows.js';

describe('nestExperiments', () => {
  it('puts experiments under their baseline and detached ones first', () => {
    const exp = { ...rows[1]!, rev: 'e1', name: 'exp-1', baseline: rows[1]!.rev, status: 'running' as const };
    const lost = { ...rows[1]!, rev: 'e2', name: 'exp-2', baseline: 'gone', status: 'lost' as const };
    const out = nestExperiments([exp, ...rows, lost]).map((r) => r.rev.slice(0, 2));
    expect(out).toEqual(['e2', 'c3', 'b2', 'e1', 'a1']);
  });
});
