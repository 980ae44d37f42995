import type { CloudKind, ResolvedMachine } from '../../contracts/compute.js';

/** Tags (labels on GCP) every Kiln machine carries; the reconciler lists by `kiln-install`. */
export const TAG_INSTALL = 'kiln-install';
export const TAG_PROFILE = 'kiln-profile';
/** A machine other than its profile's default (a run's overrides): the hash of the machine. */
export const TAG_MACHINE = 'kiln-machine';

export interface LaunchRequest {
  name: string;
  machine: ResolvedMachine;
  /** The startup script (cloud-init user data / startup-script metadata / customData). */
  userData: string;
  tags: Record<string, string>;
  image?: string | undefined;
}

export interface CloudInstance {
  id: string;
  zone: string | null;
  state: 'pending' | 'running' | 'stopping' | 'terminated';
  tags: Record<string, string>;
  launchedAt: string;
}

/** One cloud's VM API, as thin as the SDK call it wraps; the simulated provider implements it too. */
export interface CloudProvider {
  readonly cloud: CloudKind;
  launch(req: LaunchRequest): Promise<CloudInstance>;
  describe(id: string): Promise<CloudInstance | null>;
  terminate(id: string): Promise<void>;
  /** Where its machines reach their metadata service, when not the provider's usual address (stand-ins). */
  readonly metadataUrl?: string;
  /** How the cloud stores a tag value, when it rewrites it (GCP labels are lowercase). */
  readonly tagValue?: (v: string) => string;
  /** Every instance carrying `kiln-install=<install>`, in any state but terminated. */
  listTagged(install: string): Promise<CloudInstance[]>;
}
