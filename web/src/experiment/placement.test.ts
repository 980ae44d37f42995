import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../../src/contracts/experiments.js';
import { costSoFar, whereText } from './placement.js';

const placement = (
  p: Partial<NonNullable<Experiment['placement']>>,
): Pick<Experiment, 'placement' | 'finishedAt'> => ({
  finishedAt: null,
  placement: {
    target: 'aws',
    profile: 'gpu-spot',
    id: 'i-0abc',
    zone: 'us-west-1b',
    detail: 'g4dn.xlarge',
    pricePerHour: 0.526,
    startedAt: '2026-11-30T10:00:00.000Z',
    endedAt: null,
    ...p,
  },
});

describe('where a run ran and what it cost', () => {
  it('says where the machine said it runs', () => {
    expect(whereText(placement({ detail: 'aws instance i-0abc in us-west-1b on ip-10-0-0-5' }))).toBe(
      'aws instance i-0abc in us-west-1b on ip-10-0-0-5',
    );
    expect(whereText(placement({ target: 'slurm', id: '42', detail: '' }))).toBe('42');
    expect(whereText({ placement: null })).toBeNull();
  });

  it('charges the hourly price for the time since the claim, up to the end of a finished run', () => {
    const running = placement({});
    expect(costSoFar(running, Date.parse('2026-11-30T12:00:00.000Z'))).toBeCloseTo(1.052, 6);
    const done = { ...running, finishedAt: '2026-11-30T10:30:00.000Z' };
    expect(costSoFar(done, Date.parse('2026-11-30T20:00:00.000Z'))).toBeCloseTo(0.263, 6);
    expect(costSoFar(placement({ pricePerHour: null }))).toBeNull();
  });
});
