import { describe, expect, it } from 'vitest';
import { ComputeKind } from '../../../src/contracts/compute.js';
import { PROFILE_FIELDS, profileSettings, profileSummary } from './profile-fields.js';

describe('profile fields', () => {
  it('asks every kind for its limits', () => {
    for (const k of ComputeKind.options)
      expect(PROFILE_FIELDS[k].map((f) => f.key)).toEqual(
        expect.arrayContaining(['maxInstances', 'maxTimeoutSec', 'launchAttempts', 'launchGiveUpMin']),
      );
  });

  it('sends only filled, known fields', () => {
    expect(profileSettings('aws', { region: ' us-west ', type: '', spot: 'true', bogus: 'x' })).toEqual({
      region: 'us-west',
      spot: 'true',
    });
  });

  it('summarises a profile', () => {
    expect(profileSummary({ region: 'us-west', type: 'm+t4', spot: true, diskGb: 100 })).toBe(
      'us-west · m+t4 · spot · 100 GB',
    );
  });
});
