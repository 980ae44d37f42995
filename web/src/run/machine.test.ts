import { describe, expect, it } from 'vitest';
import { describeMachine, describePrice, machineOverrides } from './machine.js';
import { createBody, emptyDraft, summarize } from './run-form.js';

const machine = {
  cloud: 'aws' as const,
  region: 'us-west-1',
  zone: null,
  type: 'g4dn.xlarge',
  accelerator: { type: 'nvidia-tesla-t4', count: 1 },
  diskGb: 100,
  spot: true,
  maxPrice: 0.3,
  pricePerHour: 0.526,
  estimate: 1.052,
  timeoutSec: 7200,
};

describe('a cloud run’s machine in the Run form', () => {
  it('sends only the fields the user changed, typed, to a cloud profile', () => {
    const draft = {
      ...emptyDraft('calm-fox'),
      target: 'gpu-spot',
      machine: {
        region: ' eu-west ',
        type: 'l',
        gpu: '',
        diskGb: '200',
        spot: 'on' as const,
        maxPrice: '0.4',
      },
    };
    const body = createBody('abc', [], draft, 'echo', { kind: 'aws' });
    expect(body.target).toBe('gpu-spot');
    expect(body.machine).toEqual({ region: 'eu-west', type: 'l', diskGb: 200, spot: true, maxPrice: 0.4 });
    // Untouched fields keep the profile's values: no machine at all.
    const plain = createBody('abc', [], { ...emptyDraft('x'), target: 'gpu-spot' }, 'echo', { kind: 'aws' });
    expect(plain.machine).toBeUndefined();
    // Machine fields mean nothing to a Slurm profile or to local.
    expect(
      createBody('abc', [], { ...draft, target: 'cluster' }, 'echo', { kind: 'slurm' }).machine,
    ).toBeUndefined();
    expect(createBody('abc', [], { ...draft, target: 'local' }, 'echo').target).toBe('local');
  });

  it('blocks Run on a malformed disk size or price', () => {
    const bad = { region: '', type: '', gpu: '', diskGb: '4', spot: 'on' as const, maxPrice: 'cheap' };
    expect(machineOverrides(bad).errors).toEqual([
      'disk: a whole number of GB from 8 to 65536',
      'max price: dollars per hour, above 0 and at most 1000',
    ]);
    const draft = { ...emptyDraft('x'), target: 'gpu-spot', machine: bad };
    expect(summarize([], draft, 'echo', { kind: 'aws' }).errors).toHaveLength(2);
    expect(summarize([], { ...draft, target: 'local' }, 'echo', undefined).errors).toHaveLength(0);
  });

  it('describes the resolved machine and its estimate', () => {
    expect(describeMachine(machine)).toBe('g4dn.xlarge · 1× nvidia-tesla-t4 · 100 GB disk · spot ≤ $0.30/h');
    expect(describePrice(machine)).toBe('$0.53/h on demand · at most $1.05 for the 2 h timeout');
    expect(describePrice({ ...machine, pricePerHour: null, estimate: null })).toBe(
      'no published price for this type',
    );
  });
});
