import type { ComputeKind } from '../../../src/contracts/compute.js';

/** One profile setting as the form asks it; the server validates per kind and fills defaults. */
export interface ProfileField {
  key: string;
  label: string;
  placeholder?: string;
  type: 'text' | 'number' | 'bool' | 'credential';
}

const LIMITS: ProfileField[] = [
  { key: 'maxInstances', label: 'Max instances', placeholder: '4', type: 'number' },
  { key: 'maxTimeoutSec', label: 'Max run time (s)', placeholder: '86400', type: 'number' },
  // A machine that cannot be started is tried again with backoff until one of these is reached.
  { key: 'launchAttempts', label: 'Launch attempts', placeholder: '5', type: 'number' },
  { key: 'launchGiveUpMin', label: 'Give up launching after (min)', placeholder: '30', type: 'number' },
];

const CLOUD: ProfileField[] = [
  { key: 'credential', label: 'Credential', type: 'credential' },
  { key: 'region', label: 'Region', placeholder: 'us-west or native', type: 'text' },
  { key: 'type', label: 'Type', placeholder: 'm, l+t4 or native', type: 'text' },
  { key: 'gpu', label: 'GPU', placeholder: 't4, v100…', type: 'text' },
  { key: 'diskGb', label: 'Disk (GB)', placeholder: '35', type: 'number' },
  { key: 'spot', label: 'Spot', type: 'bool' },
  { key: 'maxPrice', label: 'Spot max price ($/h)', type: 'number' },
  { key: 'idleTimeoutSec', label: 'Idle timeout (s)', placeholder: '300', type: 'number' },
  { key: 'maxPricePerHour', label: 'Price limit ($/h)', type: 'number' },
];

export const PROFILE_FIELDS: Record<ComputeKind, ProfileField[]> = {
  local: [{ key: 'concurrency', label: 'Concurrent runs', placeholder: '2', type: 'number' }, ...LIMITS],
  ssh: [
    { key: 'hosts', label: 'Hosts', placeholder: 'gpu1, ubuntu@gpu2:2222', type: 'text' },
    { key: 'credential', label: 'SSH key', type: 'credential' },
    { key: 'agentsPerHost', label: 'Agents per host', placeholder: '1', type: 'number' },
    ...LIMITS,
  ],
  slurm: [
    { key: 'partition', label: 'Partition', placeholder: 'gpu', type: 'text' },
    { key: 'cpus', label: 'CPUs', placeholder: '1', type: 'number' },
    { key: 'memoryMb', label: 'Memory (MB)', type: 'number' },
    { key: 'gpus', label: 'GPUs', placeholder: '0', type: 'number' },
    { key: 'timeLimitMin', label: 'Time limit (min)', placeholder: '60', type: 'number' },
    { key: 'account', label: 'Account', type: 'text' },
    ...LIMITS,
  ],
  kubernetes: [
    { key: 'credential', label: 'Kubeconfig', type: 'credential' },
    { key: 'namespace', label: 'Namespace', placeholder: 'default', type: 'text' },
    { key: 'image', label: 'Image', placeholder: 'node:20-bookworm', type: 'text' },
    { key: 'cpu', label: 'CPU', placeholder: '1', type: 'text' },
    { key: 'memory', label: 'Memory', placeholder: '2Gi', type: 'text' },
    { key: 'gpus', label: 'GPUs', placeholder: '0', type: 'number' },
    { key: 'serviceAccount', label: 'Service account', type: 'text' },
    { key: 'secretEnv', label: 'Secrets as environment', placeholder: 'wandb, hf-token', type: 'text' },
    { key: 'idleTimeoutSec', label: 'Idle timeout (s)', placeholder: '300', type: 'number' },
    ...LIMITS,
  ],
  aws: [
    ...CLOUD,
    { key: 'image', label: 'AMI', placeholder: 'ami-…', type: 'text' },
    { key: 'subnetId', label: 'Subnet', placeholder: 'subnet-…', type: 'text' },
    { key: 'securityGroupId', label: 'Security group', placeholder: 'sg-…', type: 'text' },
    ...LIMITS,
  ],
  gcp: [
    ...CLOUD,
    { key: 'project', label: 'GCP project', type: 'text' },
    {
      key: 'image',
      label: 'Image',
      placeholder: 'projects/debian-cloud/global/images/family/debian-12',
      type: 'text',
    },
    { key: 'network', label: 'Network', placeholder: 'global/networks/default', type: 'text' },
    ...LIMITS,
  ],
  azure: [
    ...CLOUD,
    { key: 'resourceGroup', label: 'Resource group', placeholder: 'kiln', type: 'text' },
    { key: 'subnetId', label: 'Subnet id', placeholder: '/subscriptions/…/subnets/default', type: 'text' },
    {
      key: 'image',
      label: 'Image',
      placeholder: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest',
      type: 'text',
    },
    ...LIMITS,
  ],
};

/** Which credential kind a profile kind uses. */
export const CREDENTIAL_KIND: Partial<Record<ComputeKind, 'aws' | 'gcp' | 'azure' | 'kubernetes' | 'ssh'>> = {
  ssh: 'ssh',
  kubernetes: 'kubernetes',
  aws: 'aws',
  gcp: 'gcp',
  azure: 'azure',
};

/** The settings to send: filled fields only, so the server's defaults apply to the rest. */
export function profileSettings(
  kind: ComputeKind,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of PROFILE_FIELDS[kind]) {
    const v = values[f.key]?.trim() ?? '';
    if (v !== '') out[f.key] = v;
  }
  return out;
}

/** "aws · us-west · m+t4 · spot · ≤ 4 instances" — a profile's settings in one line. */
export function profileSummary(settings: Readonly<Record<string, unknown>>): string {
  const show = ['region', 'type', 'gpu', 'partition', 'namespace', 'hosts', 'credential'];
  const parts = show.flatMap((k) => {
    const v = settings[k];
    if (typeof v === 'string' && v !== '') return [v];
    if (Array.isArray(v)) return [v.join(', ')];
    return [];
  });
  if (settings.spot === true) parts.push('spot');
  if (typeof settings.diskGb === 'number') parts.push(`${String(settings.diskGb)} GB`);
  return parts.join(' · ');
}
