import type { CloudKind, ResolvedMachine } from '../../contracts/compute.js';

/**
 * CML's synthetic regions and machine sizes, mapped to each cloud exactly as
 * iterative/terraform-provider-iterative does (`iterative/{aws,gcp,azure}/provider.go`:
 * `getRegion`/`GetRegion`, `getInstanceType`; `s` and `m+t4` from its `task/*` size tables).
 * Anything not in a table passes through as a native name, as CML does.
 */
const REGIONS: Record<CloudKind, Record<string, string>> = {
  aws: { 'us-east': 'us-east-1', 'us-west': 'us-west-1', 'eu-north': 'eu-north-1', 'eu-west': 'eu-west-1' },
  // CML maps GCP's synthetic regions to zones.
  gcp: {
    'us-east': 'us-east1-c',
    'us-west': 'us-west1-b',
    'eu-north': 'europe-north1-a',
    'eu-west': 'europe-west1-d',
  },
  azure: { 'us-east': 'eastus', 'us-west': 'westus2', 'eu-north': 'northeurope', 'eu-west': 'westeurope' },
};

const AWS_TYPES: Record<string, string> = {
  s: 't2.micro',
  m: 'm5.2xlarge',
  l: 'm5.8xlarge',
  xl: 'm5.16xlarge',
  'm+t4': 'g4dn.xlarge',
  'm+k80': 'p2.xlarge',
  'l+k80': 'p2.8xlarge',
  'xl+k80': 'p2.16xlarge',
  'm+v100': 'p3.xlarge',
  'l+v100': 'p3.8xlarge',
  'xl+v100': 'p3.16xlarge',
};

const AZURE_TYPES: Record<string, string> = {
  s: 'Standard_B1s',
  m: 'Standard_F8s_v2',
  l: 'Standard_F32s_v2',
  xl: 'Standard_F64s_v2',
  'm+t4': 'Standard_NC4as_T4_v3',
  'm+k80': 'Standard_NC6',
  'l+k80': 'Standard_NC12',
  'xl+k80': 'Standard_NC24',
  'm+v100': 'Standard_NC6s_v3',
  'l+v100': 'Standard_NC12s_v3',
  'xl+v100': 'Standard_NC24s_v3',
};

type GcpType = { machine: string; accelerator: { type: string; count: number } | null };
const gpu = (machine: string, type: string, count: number): GcpType => ({
  machine,
  accelerator: { type, count },
});
const GCP_TYPES: Record<string, GcpType> = {
  s: { machine: 'g1-small', accelerator: null },
  m: { machine: 'e2-custom-8-32768', accelerator: null },
  l: { machine: 'e2-custom-32-131072', accelerator: null },
  xl: { machine: 'n2-custom-64-262144', accelerator: null },
  'm+t4': gpu('n1-standard-4', 'nvidia-tesla-t4', 1),
  'm+k80': gpu('custom-8-53248', 'nvidia-tesla-k80', 1),
  'l+k80': gpu('custom-32-131072', 'nvidia-tesla-k80', 4),
  'xl+k80': gpu('custom-64-212992-ext', 'nvidia-tesla-k80', 8),
  'm+v100': gpu('custom-8-65536-ext', 'nvidia-tesla-v100', 1),
  'l+v100': gpu('custom-32-262144-ext', 'nvidia-tesla-v100', 4),
  'xl+v100': gpu('custom-64-524288-ext', 'nvidia-tesla-v100', 8),
};

/**
 * A small static table of on-demand USD/hour (us-east list prices; GCP includes the GPU).
 * Types missing here (CML's `p3.xlarge`, GCP custom shapes) have no published single price.
 */
const PRICES: Record<string, number> = {
  't2.micro': 0.0116,
  'm5.2xlarge': 0.384,
  'm5.8xlarge': 1.536,
  'm5.16xlarge': 3.072,
  'g4dn.xlarge': 0.526,
  'p2.xlarge': 0.9,
  'p2.8xlarge': 7.2,
  'p2.16xlarge': 14.4,
  'p3.8xlarge': 12.24,
  'p3.16xlarge': 24.48,
  'g1-small': 0.0257,
  'n1-standard-4+nvidia-tesla-t4': 0.54,
  Standard_B1s: 0.0104,
  Standard_F8s_v2: 0.338,
  Standard_F32s_v2: 1.353,
  Standard_F64s_v2: 2.706,
  Standard_NC4as_T4_v3: 0.526,
  Standard_NC6: 0.9,
  Standard_NC12: 1.8,
  Standard_NC24: 3.6,
  Standard_NC6s_v3: 3.06,
  Standard_NC12s_v3: 6.12,
  Standard_NC24s_v3: 12.24,
};

/** CML's region mapping: a synthetic name becomes the cloud's; any other passes through. */
export function resolveRegion(cloud: CloudKind, region: string): { region: string; zone: string | null } {
  const native = REGIONS[cloud][region] ?? region;
  if (cloud !== 'gcp') return { region: native, zone: null };
  // A GCP zone ends in -<letter>; its region is the rest.
  const m = /^(.+-\w+\d)-([a-z])$/.exec(native);
  return m?.[1] ? { region: m[1], zone: native } : { region: native, zone: null };
}

/** Splits CML's `m+t4` spelling; `gpu` given separately wins over none. */
function key(type: string, gpuName: string | undefined): { size: string; gpu: string } {
  const plus = type.indexOf('+');
  if (plus > 0) return { size: type.slice(0, plus), gpu: type.slice(plus + 1) };
  return { size: type, gpu: gpuName ?? '' };
}

export interface NativeType {
  type: string;
  accelerator: { type: string; count: number } | null;
}

/** CML's `getInstanceType`: `size+gpu` first, then `size` when no GPU asked, else the native name. */
export function resolveType(cloud: CloudKind, type: string, gpuName?: string): NativeType {
  const k = key(type, gpuName);
  const joined = `${k.size}+${k.gpu}`;
  if (cloud === 'gcp') {
    const customGpu = /^([^+]+)\+([^*]+)\*([1-9]\d*)$/.exec(type);
    if (customGpu?.[1] && customGpu[2] && customGpu[3])
      return { type: customGpu[1], accelerator: { type: customGpu[2], count: Number(customGpu[3]) } };
    const hit = GCP_TYPES[joined] ?? (k.gpu === '' ? GCP_TYPES[k.size] : undefined);
    if (hit) return { type: hit.machine, accelerator: hit.accelerator };
    const sized = GCP_TYPES[k.size];
    if (sized) return { type: sized.machine, accelerator: k.gpu ? { type: k.gpu, count: 1 } : null };
    if (!k.gpu) return { type: k.size, accelerator: null };
    const named = k.gpu === 'k80' || k.gpu === 'v100' ? `nvidia-tesla-${k.gpu}` : k.gpu;
    return { type: k.size, accelerator: { type: named, count: 1 } };
  }
  const table = cloud === 'aws' ? AWS_TYPES : AZURE_TYPES;
  const hit = table[joined] ?? (k.gpu === '' ? table[k.size] : undefined);
  return { type: hit ?? (type.includes('+') ? type : k.size), accelerator: null };
}

const SIZES = ['s', 'm', 'l', 'xl'];

/**
 * Why a synthetic size with a GPU has no machine on `cloud` (AWS's and Azure's tables hold only
 * some pairs: `l+t4` is none), or null. CML would pass `l` on as a native type the cloud
 * refuses at launch; Kiln says so before the run is queued.
 */
export function unmappedSize(cloud: CloudKind, type: string, gpuName?: string): string | null {
  if (cloud === 'gcp') return null;
  const k = key(type, gpuName);
  if (!k.gpu || !SIZES.includes(k.size)) return null;
  const table = cloud === 'aws' ? AWS_TYPES : AZURE_TYPES;
  if (table[`${k.size}+${k.gpu}`]) return null;
  const pairs = Object.keys(table).filter((t) => t.includes('+'));
  return `${cloud} has no size ${k.size} with GPU ${k.gpu}: pick one of ${pairs.join(', ')} or a native type`;
}

export function hourlyPrice(native: NativeType): number | null {
  const k = native.accelerator ? `${native.type}+${native.accelerator.type}` : native.type;
  return PRICES[k] ?? PRICES[native.type] ?? null;
}

export interface MachineSpec {
  region: string;
  type: string;
  gpu?: string | undefined;
  diskGb: number;
  spot: boolean;
  maxPrice?: number | undefined;
  timeoutSec: number;
}

/** The machine a cloud profile plus overrides asks for, in native terms, with price and estimate. */
export function resolveMachine(cloud: CloudKind, spec: MachineSpec): ResolvedMachine {
  const where = resolveRegion(cloud, spec.region);
  const native = resolveType(cloud, spec.type, spec.gpu);
  const price = hourlyPrice(native);
  return {
    cloud,
    region: where.region,
    zone: where.zone,
    type: native.type,
    accelerator: native.accelerator,
    diskGb: spec.diskGb,
    spot: spec.spot,
    maxPrice: spec.maxPrice ?? null,
    pricePerHour: price,
    estimate: price === null ? null : Math.round(price * (spec.timeoutSec / 3600) * 10000) / 10000,
    timeoutSec: spec.timeoutSec,
  };
}
