import { expect, it } from 'vitest';
import { ExperimentStatus } from './api.js';
import { ACTIVE, FINISHED, RUN_TRANSITIONS, canMove, isActive, isFinished } from './run-lifecycle.js';

it('a run ends succeeded, failed, cancelled or lost and never moves again (a pushed row neither)', () => {
  expect([...FINISHED].sort()).toEqual(['cancelled', 'failed', 'lost', 'pushed', 'succeeded']);
  for (const f of FINISHED) for (const s of ExperimentStatus.options) expect(canMove(f, s)).toBe(false);
});

it('every state under way can end every way, and a reclaimed machine sends its run back to the queue', () => {
  for (const s of ACTIVE) {
    expect(isFinished(s)).toBe(false);
    for (const end of ['failed', 'cancelled', 'lost'] as const)
      expect(canMove(s, end), `${s} → ${end}`).toBe(true);
  }
  for (const s of ['starting', 'running', 'saving'] as const) expect(canMove(s, 'queued')).toBe(true);
  // A run goes forward only: a late "running" after "saving" is not a move.
  expect(canMove('saving', 'running')).toBe(false);
  expect(canMove('queued', 'succeeded')).toBe(false);
});

it('a quiet live experiment is neither under way nor over; every state is in the table', () => {
  expect(isActive('stale')).toBe(false);
  expect(isFinished('stale')).toBe(false);
  expect(Object.keys(RUN_TRANSITIONS).sort()).toEqual([...ExperimentStatus.options].sort());
});
