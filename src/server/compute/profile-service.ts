import { z } from 'zod';
import {
  CloudKind,
  ComputeKind,
  type ComputeProfile,
  type ComputeProfileInput,
  type MachineOverrides,
  type ResolvedMachine,
} from '../../contracts/compute.js';
import { resolveMachine, unmappedSize } from '../../compute/cloud/catalog.js';
import { AwsSettings, parseSettings } from '../../compute/profiles/settings.js';
import type { ComputeProfileRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';

const NEEDS_CREDENTIAL: Partial<Record<ComputeKind, string>> = {
  ssh: 'ssh',
  kubernetes: 'kubernetes',
  aws: 'aws',
  gcp: 'gcp',
  azure: 'azure',
};

/** Every cloud's settings share AwsSettings' machine fields; this reads just those. */
const CloudMachine = z.object(
  AwsSettings.pick({
    region: true,
    type: true,
    gpu: true,
    diskGb: true,
    spot: true,
    maxPrice: true,
    maxTimeoutSec: true,
    maxPricePerHour: true,
    maxInstances: true,
  }).shape,
);

/** The machine settings a profile with overrides asks for, before resolving to native names. */
export interface MachineSettings {
  region: string;
  type: string;
  gpu?: string;
  diskGb: number;
  spot: boolean;
  maxPrice?: number;
}

/**
 * The profile's machine settings with a run's overrides laid over them. A GPU asked for apart
 * replaces one the type spells (`m+t4` with GPU `v100` is `m` with `v100`); GPU `none` asks for
 * none.
 */
export function machineSettings(settings: Record<string, unknown>, o: MachineOverrides): MachineSettings {
  const s = CloudMachine.parse(settings);
  let type = o.type ?? s.type;
  let gpu = o.gpu ?? (o.type?.includes('+') ? undefined : s.gpu);
  if (o.gpu !== undefined && type.includes('+')) type = type.slice(0, type.indexOf('+'));
  if (gpu === 'none') gpu = undefined;
  const spot = o.spot ?? s.spot;
  const maxPrice = o.maxPrice ?? s.maxPrice;
  return {
    region: o.region ?? s.region,
    type,
    ...(gpu ? { gpu } : {}),
    diskGb: o.diskGb ?? s.diskGb,
    spot,
    ...(maxPrice !== undefined ? { maxPrice } : {}),
  };
}

/** Within the profile's limits, the machine a run asks for; over a limit, a 400 naming it. */
export function resolveWithin(
  kind: CloudKind,
  settings: Record<string, unknown>,
  o: MachineOverrides,
): ResolvedMachine {
  const s = CloudMachine.parse(settings);
  const timeoutSec = o.timeoutSec ?? s.maxTimeoutSec;
  if (timeoutSec > s.maxTimeoutSec)
    throw new ApiFailure(
      'bad_request',
      `timeout ${timeoutSec}s is over this profile's limit maxTimeoutSec=${s.maxTimeoutSec}s`,
    );
  const want = machineSettings(settings, o);
  const unmapped = unmappedSize(kind, want.type, want.gpu);
  if (unmapped) throw new ApiFailure('bad_request', unmapped);
  const machine = resolveMachine(kind, { ...want, timeoutSec });
  const cap = s.maxPricePerHour;
  if (cap !== undefined) {
    const bid = machine.spot && want.maxPrice !== undefined;
    const asked = bid ? want.maxPrice : machine.pricePerHour;
    if (asked === null || asked === undefined)
      throw new ApiFailure(
        'bad_request',
        `${machine.type} has no known price and this profile caps the price: maxPricePerHour=$${cap}/h`,
      );
    if (asked > cap)
      throw new ApiFailure(
        'bad_request',
        bid
          ? `max price $${asked}/h is over this profile's limit maxPricePerHour=$${cap}/h`
          : `${machine.type} costs $${asked}/h, over this profile's limit maxPricePerHour=$${cap}/h`,
      );
  }
  return machine;
}

function present(r: ComputeProfileRecord): ComputeProfile {
  const kind = ComputeKind.parse(r.kind);
  const settings: Record<string, unknown> = JSON.parse(r.settingsJson);
  const cloud = CloudKind.safeParse(kind);
  const limits = {
    maxInstances: Number(settings.maxInstances ?? 1),
    maxTimeoutSec: Number(settings.maxTimeoutSec ?? 86400),
    ...(typeof settings.maxPricePerHour === 'number' ? { maxPricePerHour: settings.maxPricePerHour } : {}),
  };
  let resolved: ResolvedMachine | null = null;
  if (cloud.success) {
    try {
      resolved = resolveWithin(cloud.data, settings, {});
    } catch {
      resolved = null;
    }
  }
  return { name: r.name, kind, settings, limits, resolved, createdAt: r.createdAt };
}

/** Named compute targets an admin defines; settings validated per kind. */
export class ProfileService {
  constructor(private readonly store: Store) {}

  async create(input: ComputeProfileInput): Promise<ComputeProfile> {
    // This server's machine has one capacity: a second local pool with its own cap would run
    // beside the target `local` without either knowing of the other's runs.
    if (input.kind === 'local')
      throw new ApiFailure(
        'bad_request',
        'runs on this server need no profile: choose the target "local" in the Run form, and set how many run at once under Settings → Compute profiles → Runs on this server',
      );
    const parsed = parseSettings(input.kind, input.settings);
    if (!parsed.ok) throw new ApiFailure('bad_request', parsed.error);
    const wants = NEEDS_CREDENTIAL[input.kind];
    const credential = parsed.settings.credential;
    if (wants && typeof credential === 'string') {
      const c = await this.store.compute.getCredential(credential);
      if (!c) throw new ApiFailure('bad_request', `no credential ${credential}: add it first`);
      if (c.kind !== wants)
        throw new ApiFailure('bad_request', `credential ${credential} is for ${c.kind}, not ${wants}`);
    }
    const rec: ComputeProfileRecord = {
      name: input.name,
      kind: input.kind,
      settingsJson: JSON.stringify(parsed.settings),
      createdAt: new Date().toISOString(),
    };
    const cloud = CloudKind.safeParse(input.kind);
    if (cloud.success) resolveWithin(cloud.data, parsed.settings, {});
    if (!(await this.store.compute.createProfile(rec)))
      throw new ApiFailure('conflict', `compute profile ${input.name} exists: remove it first`);
    return present(rec);
  }

  async list(): Promise<ComputeProfile[]> {
    return (await this.store.compute.listProfiles()).map(present);
  }

  async get(name: string): Promise<ComputeProfile> {
    const r = await this.store.compute.getProfile(name);
    if (!r) throw new ApiFailure('not_found', `no compute profile ${name}`);
    return present(r);
  }

  async remove(name: string): Promise<void> {
    if (!(await this.store.compute.deleteProfile(name)))
      throw new ApiFailure('not_found', `no compute profile ${name}`);
  }

  async resolve(name: string, overrides: MachineOverrides): Promise<ResolvedMachine> {
    const p = await this.get(name);
    const cloud = CloudKind.safeParse(p.kind);
    if (!cloud.success)
      throw new ApiFailure('bad_request', `profile ${name} is ${p.kind}, not a cloud: nothing to resolve`);
    return resolveWithin(cloud.data, p.settings, overrides);
  }
}
