import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, hddHint, toWizardInput } from './wizard-form.js';

describe('wizard form', () => {
  it('turns the defaults into a valid request', () => {
    const { input, errors } = toWizardInput(DEFAULT_FORM);
    expect(errors).toEqual({});
    expect(input).toMatchObject({ ci: 'github', cloud: 'aws', hdd: 100, labels: ['cml'], idleTimeout: 300 });
    expect(input?.gpu).toBeUndefined();
  });

  it('splits labels and names the field that is wrong', () => {
    expect(toWizardInput({ ...DEFAULT_FORM, labels: 'cml, gpu' }).input?.labels).toEqual(['cml', 'gpu']);
    const bad = toWizardInput({ ...DEFAULT_FORM, region: 'us west', hdd: '1.5' });
    expect(bad.input).toBeNull();
    expect(bad.errors.hdd).toMatch(/whole/);
    expect(bad.errors.region).toMatch(/letters/);
  });

  it('recommends at least 100 GB', () => {
    expect(hddHint({ ...DEFAULT_FORM, hdd: '50' })).toMatch(/100 GB/);
    expect(hddHint(DEFAULT_FORM)).toBeNull();
  });
});
