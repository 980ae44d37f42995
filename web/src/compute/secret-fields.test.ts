import { describe, expect, it } from 'vitest';
import { toSecret } from './secret-fields.js';

describe('toSecret', () => {
  it('builds an AWS secret and leaves optional fields out', () => {
    const r = toSecret('aws', {
      accessKeyId: ' AKIAABCDEFGHIJKLMNOP ',
      secretAccessKey: 's3cr3t',
      sessionToken: '',
    });
    expect(r.secret).toEqual({ kind: 'aws', accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: 's3cr3t' });
  });

  it('names missing and malformed fields', () => {
    const r = toSecret('aws', { accessKeyId: 'nope' });
    expect(r.secret).toBeNull();
    expect(r.errors.accessKeyId).toMatch(/AWS access key/);
    expect(r.errors.secretAccessKey).toBe('required');
  });
});
