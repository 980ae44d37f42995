import { describe, expect, it } from 'vitest';
import { resolveMachine, resolveRegion, resolveType, unmappedSize } from './catalog.js';

describe('CML synthetic regions and types', () => {
  it('maps regions as terraform-provider-iterative does', () => {
    expect(resolveRegion('aws', 'us-west')).toEqual({ region: 'us-west-1', zone: null });
    expect(resolveRegion('aws', 'eu-north')).toEqual({ region: 'eu-north-1', zone: null });
    expect(resolveRegion('gcp', 'us-east')).toEqual({ region: 'us-east1', zone: 'us-east1-c' });
    expect(resolveRegion('gcp', 'eu-west')).toEqual({ region: 'europe-west1', zone: 'europe-west1-d' });
    expect(resolveRegion('azure', 'us-west')).toEqual({ region: 'westus2', zone: null });
    expect(resolveRegion('azure', 'eu-north')).toEqual({ region: 'northeurope', zone: null });
    expect(resolveRegion('aws', 'ap-south-1')).toEqual({ region: 'ap-south-1', zone: null });
  });

  it('maps sizes and GPUs, both spellings, and passes native names through', () => {
    expect(resolveType('aws', 'm', 't4').type).toBe('g4dn.xlarge');
    expect(resolveType('aws', 'm+t4').type).toBe('g4dn.xlarge');
    expect(resolveType('aws', 'xl+v100').type).toBe('p3.16xlarge');
    expect(resolveType('aws', 's').type).toBe('t2.micro');
    expect(resolveType('aws', 'c6i.large').type).toBe('c6i.large');
    expect(resolveType('azure', 'l', 'k80').type).toBe('Standard_NC12');
    expect(resolveType('azure', 'xl').type).toBe('Standard_F64s_v2');
    expect(resolveType('gcp', 'm+t4')).toEqual({
      type: 'n1-standard-4',
      accelerator: { type: 'nvidia-tesla-t4', count: 1 },
    });
    expect(resolveType('gcp', 'xl', 'v100')).toEqual({
      type: 'custom-64-524288-ext',
      accelerator: { type: 'nvidia-tesla-v100', count: 8 },
    });
    expect(resolveType('gcp', 'm')).toEqual({ type: 'e2-custom-8-32768', accelerator: null });
    expect(resolveType('gcp', 'a2-highgpu-1g+nvidia-tesla-a100*1')).toEqual({
      type: 'a2-highgpu-1g',
      accelerator: { type: 'nvidia-tesla-a100', count: 1 },
    });
    expect(resolveType('gcp', 'n1-standard-8', 'k80')).toEqual({
      type: 'n1-standard-8',
      accelerator: { type: 'nvidia-tesla-k80', count: 1 },
    });
  });

  it('prices known types and estimates over the timeout', () => {
    const m = resolveMachine('aws', {
      region: 'us-west',
      type: 'm+t4',
      diskGb: 100,
      spot: true,
      timeoutSec: 7200,
    });
    expect(m).toMatchObject({
      region: 'us-west-1',
      type: 'g4dn.xlarge',
      pricePerHour: 0.526,
      estimate: 1.052,
      spot: true,
    });
    expect(
      resolveMachine('aws', { region: 'us-west', type: 'm+v100', diskGb: 35, spot: false, timeoutSec: 3600 })
        .pricePerHour,
    ).toBeNull();
  });
});

describe('sizes with a GPU the cloud has no machine for', () => {
  it('says so, naming the pairs there are, instead of passing the size on as a type', () => {
    expect(unmappedSize('aws', 'l', 't4')).toContain('aws has no size l with GPU t4: pick one of m+t4');
    expect(unmappedSize('azure', 's+v100')).toContain('azure has no size s with GPU v100');
    expect(unmappedSize('aws', 'l', 'k80')).toBeNull();
    expect(unmappedSize('aws', 'g5.xlarge', 't4')).toBeNull();
    expect(unmappedSize('gcp', 'l', 't4')).toBeNull();
  });
});
