import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../api-error.js';
import { resolveWithin } from './profile-service.js';

const profile = {
  credential: 'aws-key',
  region: 'us-west',
  type: 'm+t4',
  diskGb: 100,
  spot: false,
  maxTimeoutSec: 7200,
  maxPricePerHour: 5,
};

describe('a run’s machine within its profile', () => {
  it('a GPU asked apart replaces the one the profile’s type spells; none drops it', () => {
    expect(resolveWithin('aws', profile, {}).type).toBe('g4dn.xlarge');
    expect(resolveWithin('aws', profile, { gpu: 'k80' }).type).toBe('p2.xlarge');
    expect(resolveWithin('aws', profile, { gpu: 'none' }).type).toBe('m5.2xlarge');
    expect(
      resolveWithin(
        'aws',
        { ...profile, type: 'm', gpu: 't4', maxPricePerHour: 8 },
        { type: 'l', gpu: 'k80' },
      ).type,
    ).toBe('p2.8xlarge');
  });

  it('over a limit is a 400 naming the limit', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ApiFailure ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(err(() => resolveWithin('aws', profile, { timeoutSec: 7201 }))).toBe(
      "bad_request: timeout 7201s is over this profile's limit maxTimeoutSec=7200s",
    );
    expect(err(() => resolveWithin('aws', profile, { type: 'xl+k80' }))).toBe(
      "bad_request: p2.16xlarge costs $14.4/h, over this profile's limit maxPricePerHour=$5/h",
    );
    expect(err(() => resolveWithin('aws', profile, { type: 'm+v100' }))).toContain(
      'p3.xlarge has no known price and this profile caps the price: maxPricePerHour=$5/h',
    );
    expect(err(() => resolveWithin('aws', profile, { spot: true, maxPrice: 6 }))).toContain(
      "max price $6/h is over this profile's limit maxPricePerHour=$5/h",
    );
  });
});
