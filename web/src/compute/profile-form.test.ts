import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../../src/compute/profiles/settings.js';
import { profileFormErrors, serverFieldError } from './profile-form.js';

describe('Add-profile form messages', () => {
  it('asks for a credential in words, before sending, and says to add one when there is none', () => {
    expect(profileFormErrors('aws', 'gpu', {}, [])).toEqual({
      credential: 'Add an AWS credential under Credentials first, then choose it here.',
    });
    expect(profileFormErrors('aws', 'gpu', {}, ['aws-main']).credential).toBe(
      'Choose the AWS credential this profile uses.',
    );
    expect(profileFormErrors('aws', 'gpu', { credential: 'aws-main' }, ['aws-main'])).toEqual({});
    expect(profileFormErrors('slurm', 'x y', { cpus: 'many' }, [])).toEqual({
      name: 'The name may hold letters, digits, ".", "_" and "-" only.',
      cpus: 'Enter a number, like 1.',
    });
    expect(profileFormErrors('local', 'here', {}, [])).toEqual({});
  });

  it("places the server's message at its field in the field's own words", () => {
    const missing = parseSettings('aws', {});
    expect(missing).toEqual({ ok: false, error: 'invalid aws settings: credential is required' });
    if (missing.ok) return;
    expect(serverFieldError('aws', missing.error)).toEqual({
      field: 'credential',
      message: 'Credential is required.',
    });
    const small = parseSettings('aws', { credential: 'a', diskGb: '4' });
    expect(small.ok ? '' : serverFieldError('aws', small.error)?.message).toBe(
      'Disk (GB) must be at least 8.',
    );
    const host = parseSettings('ssh', { credential: 'k', hosts: 'a b' });
    expect(host.ok ? '' : serverFieldError('ssh', host.error)).toEqual({
      field: 'hosts',
      message: 'Hosts: host must be [user@]host[:port].',
    });
    expect(serverFieldError('aws', 'no credential x: add it first')).toBeUndefined();
  });
});
