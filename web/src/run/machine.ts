import type { ComputeProfile, MachineOverrides, ResolvedMachine } from '../../../src/contracts/compute.js';

/** The Run form's machine fields for a cloud profile; empty text keeps the profile's value. */
export interface MachineDraft {
  region: string;
  type: string;
  gpu: string;
  diskGb: string;
  spot: 'profile' | 'on' | 'off';
  maxPrice: string;
}

export const emptyMachine = (): MachineDraft => ({
  region: '',
  type: '',
  gpu: '',
  diskGb: '',
  spot: 'profile',
  maxPrice: '',
});

export const CLOUD_KINDS = ['aws', 'gcp', 'azure'] as const;
export const isCloud = (kind: string): boolean => (CLOUD_KINDS as readonly string[]).includes(kind);

/** CML's synthetic names, offered as suggestions; a native name is taken as typed. */
export const SYNTHETIC = {
  region: ['us-east', 'us-west', 'eu-north', 'eu-west'],
  type: ['s', 'm', 'l', 'xl'],
  gpu: ['t4', 'k80', 'v100'],
} as const;

/** The overrides the user typed, and what is wrong with them. */
export function machineOverrides(m: MachineDraft): { overrides: MachineOverrides; errors: string[] } {
  const overrides: MachineOverrides = {};
  const errors: string[] = [];
  const text = (v: string) => v.trim();
  if (text(m.region)) overrides.region = text(m.region);
  if (text(m.type)) overrides.type = text(m.type);
  if (text(m.gpu)) overrides.gpu = text(m.gpu);
  if (text(m.diskGb)) {
    const n = Number(text(m.diskGb));
    if (!Number.isInteger(n) || n < 8 || n > 65536) errors.push('disk: a whole number of GB from 8 to 65536');
    else overrides.diskGb = n;
  }
  if (m.spot !== 'profile') overrides.spot = m.spot === 'on';
  if (text(m.maxPrice)) {
    const n = Number(text(m.maxPrice));
    if (!Number.isFinite(n) || n <= 0 || n > 1000)
      errors.push('max price: dollars per hour, above 0 and at most 1000');
    else overrides.maxPrice = n;
  }
  for (const [k, v] of Object.entries(overrides))
    if (typeof v === 'string' && (v.length > 64 || /\s/.test(v)))
      errors.push(`${k}: one word of at most 64 characters`);
  return { overrides, errors };
}

/** What the form sends for `target`: a cloud profile's machine only when something was changed. */
export function machineFor(
  profile: Pick<ComputeProfile, 'kind'> | undefined,
  m: MachineDraft,
): MachineOverrides | undefined {
  if (!profile || !isCloud(profile.kind)) return undefined;
  const { overrides } = machineOverrides(m);
  return Object.keys(overrides).length > 0 ? overrides : undefined;
}

const money = (usd: number): string => (usd >= 100 ? `$${usd.toFixed(0)}` : `$${usd.toFixed(2)}`);

/** "g4dn.xlarge · 1× nvidia-tesla-t4 · 100 GB · spot" */
export function describeMachine(r: ResolvedMachine): string {
  return [
    r.type,
    r.accelerator ? `${String(r.accelerator.count)}× ${r.accelerator.type}` : null,
    `${String(r.diskGb)} GB disk`,
    r.spot ? `spot${r.maxPrice !== null ? ` ≤ ${money(r.maxPrice)}/h` : ''}` : 'on-demand',
  ]
    .filter((s): s is string => s !== null)
    .join(' · ');
}

/** "$0.53/h · about $12.62 for 24 h" or why there is no figure. */
export function describePrice(r: ResolvedMachine): string {
  if (r.pricePerHour === null) return 'no published price for this type';
  const hours = r.timeoutSec / 3600;
  const h = hours >= 1 ? `${Number(hours.toFixed(1))} h` : `${String(Math.round(r.timeoutSec / 60))} min`;
  return `${money(r.pricePerHour)}/h on demand${
    r.estimate !== null ? ` · at most ${money(r.estimate)} for the ${h} timeout` : ''
  }`;
}

export { money };
