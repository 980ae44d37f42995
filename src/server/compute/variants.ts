import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  CloudKind,
  ComputeKind,
  ComputeName,
  type MachineOverrides,
  ResolvedMachine,
} from '../../contracts/compute.js';
import { SETTINGS } from '../../compute/profiles/settings.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import { machineSettings, resolveWithin } from './profile-service.js';

/**
 * A run on a cloud profile that asks for another machine than the profile's default runs on a
 * *variant* of the profile: target `PROFILE~<8 hex>`, the hash of the machine. Its VMs carry
 * the profile's tags (its limits and the reconciler see them) plus the hash, and its idle VMs
 * take only runs of the same variant. Runs asking for the same machine share a variant; the
 * timeout is not part of it, as it does not change the VM.
 */
const SEP = '~';

/** What `Targets` needs to build a variant: its profile and the settings laid over the profile's. */
export const VariantRecord = z.object({
  profile: ComputeName,
  kind: CloudKind,
  /** Machine settings (region, type, gpu, diskGb, spot, maxPrice) laid over the profile's. */
  settings: z.record(z.string(), z.unknown()),
  /** The machine they resolve to (timeout and estimate of the profile's limit). */
  machine: ResolvedMachine,
});
export type VariantRecord = z.infer<typeof VariantRecord>;

const key = (variant: string) => `compute.variant.${variant}`;

/** The profile a stored target belongs to: `gpu~1a2b3c4d` → `gpu`. */
export function profileOf(target: string): string {
  const i = target.indexOf(SEP);
  return i < 0 ? target : target.slice(0, i);
}

export function isVariant(target: string): boolean {
  return target.includes(SEP);
}

/** The part of a machine that makes its VM: everything but the timeout and the estimate. */
function vmKey(m: ResolvedMachine): string {
  return JSON.stringify([
    m.cloud,
    m.region,
    m.zone,
    m.type,
    m.accelerator?.type ?? null,
    m.accelerator?.count ?? 0,
    m.diskGb,
    m.spot,
    m.spot ? m.maxPrice : null,
  ]);
}

/** The hash of a machine, as its VMs' `kiln-machine` tag and its variant's suffix. */
export function machineHash(m: ResolvedMachine): string {
  return createHash('sha256').update(vmKey(m)).digest('hex').slice(0, 8);
}

/** The machine with a run's own timeout and the estimate over it. */
export function withTimeout(m: ResolvedMachine, timeoutSec: number): ResolvedMachine {
  const estimate =
    m.pricePerHour === null ? null : Math.round(m.pricePerHour * (timeoutSec / 3600) * 10000) / 10000;
  return { ...m, timeoutSec, estimate };
}

const known = new WeakMap<Store, Map<string, VariantRecord>>();

/** A variant's record; they never change (the name is the machine's hash), so they are kept. */
export async function readVariant(store: Store, variant: string): Promise<VariantRecord | null> {
  let variants = known.get(store);
  if (!variants) known.set(store, (variants = new Map()));
  const have = variants.get(variant);
  if (have) return have;
  const raw = await store.getSetting(key(variant));
  const r = raw ? VariantRecord.safeParse(JSON.parse(raw)) : null;
  if (!r?.success) return null;
  variants.set(variant, r.data);
  return r.data;
}

/** A variant's settings: the profile's, with the variant's machine settings in place of its own. */
export function variantSettings(
  profileSettings: Record<string, unknown>,
  v: VariantRecord,
): Record<string, unknown> {
  const { gpu: _g, maxPrice: _p, ...rest } = profileSettings;
  return { ...rest, ...v.settings };
}

/** Where a run goes: the target stored on its row and, on a cloud profile, its machine. */
export interface RunPlacement {
  target: string;
  machine: ResolvedMachine | null;
}

/**
 * Checks a run's target, machine overrides and timeout against the profile's limits, and
 * returns the target to store: the profile, or a variant of it for another machine.
 */
export async function placeRun(
  store: Store,
  target: string,
  overrides: MachineOverrides | undefined,
  timeoutSec: number,
): Promise<RunPlacement> {
  const asked = overrides && Object.keys(overrides).length > 0 ? overrides : undefined;
  if (target === 'local') {
    if (asked)
      throw new ApiFailure(
        'bad_request',
        'machine overrides (region, type, GPU, disk, spot, price) need a cloud profile as target, not local',
      );
    return { target, machine: null };
  }
  const rec = await store.compute.getProfile(target);
  if (!rec) throw new ApiFailure('bad_request', `no compute target ${target}: use local or a profile name`);
  const kind = ComputeKind.parse(rec.kind);
  const settings: Record<string, unknown> = JSON.parse(rec.settingsJson);
  const cloud = CloudKind.safeParse(kind);
  if (!cloud.success) {
    if (asked)
      throw new ApiFailure(
        'bad_request',
        `profile ${target} is ${kind}: machine overrides (region, type, GPU, disk, spot, price) apply to cloud profiles only`,
      );
    const limit = z.object({ maxTimeoutSec: z.number() }).safeParse(SETTINGS[kind].safeParse(settings).data);
    const max = limit.success ? limit.data.maxTimeoutSec : 86400;
    if (timeoutSec > max)
      throw new ApiFailure(
        'bad_request',
        `timeout ${timeoutSec}s is over profile ${target}'s limit maxTimeoutSec=${max}s`,
      );
    return { target, machine: null };
  }
  // The run's own timeout counts, checked against the profile's maxTimeoutSec.
  const machine = resolveWithin(cloud.data, settings, { ...asked, timeoutSec });
  const hash = machineHash(machine);
  if (hash === machineHash(resolveWithin(cloud.data, settings, {}))) return { target, machine };
  const variant = `${target}${SEP}${hash}`;
  if (!(await readVariant(store, variant))) {
    const { timeoutSec: _, ...machineOnly } = asked ?? {};
    const v: VariantRecord = {
      profile: target,
      kind: cloud.data,
      settings: { ...machineSettings(settings, machineOnly) },
      machine: resolveWithin(cloud.data, settings, machineOnly),
    };
    await store.setSetting(key(variant), JSON.stringify(v));
  }
  return { target: variant, machine };
}

/**
 * The machine a stored run asked for (null off the clouds), from its variant or its profile's
 * defaults; `profiles` memoizes profile reads over a list.
 */
export async function machineOf(
  store: Store,
  target: string,
  timeoutSec: number,
  profiles: Map<string, ResolvedMachine | null> = new Map(),
): Promise<ResolvedMachine | null> {
  if (target === 'local') return null;
  if (isVariant(target)) {
    const v = await readVariant(store, target);
    return v ? withTimeout(v.machine, timeoutSec) : null;
  }
  if (!profiles.has(target)) {
    const rec = await store.compute.getProfile(target);
    const cloud = CloudKind.safeParse(rec?.kind);
    let m: ResolvedMachine | null = null;
    if (rec && cloud.success) {
      try {
        m = resolveWithin(cloud.data, JSON.parse(rec.settingsJson), {});
      } catch {
        m = null;
      }
    }
    profiles.set(target, m);
  }
  const m = profiles.get(target);
  return m ? withTimeout(m, timeoutSec) : null;
}
