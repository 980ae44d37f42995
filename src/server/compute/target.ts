import type { ComputeKind } from '../../contracts/compute.js';
import type { ComputeBackend } from '../../compute/port.js';

/**
 * Whether a machine is still wanted: `tokenId` is its agent token (from its labels), `createdMs`
 * when it was made, `profile` its profile tag. The server answers from its claimed runs and
 * agents seen lately (and, for a removed profile, from its claimed runs only).
 */
export type Liveness = (tokenId: string | null, createdMs: number, profile?: string) => Promise<boolean>;

/**
 * A compute target built from `local` or a profile. Kept apart from `targets.ts`, which builds
 * them, so `remote-targets.ts` can name it without an import cycle.
 */
export interface Target {
  name: string;
  kind: ComputeKind;
  backend: ComputeBackend;
  /** Most agents (and so runs) at a time. */
  cap: number;
  /** Each agent serves one run and is stopped after it (Slurm jobs): stops agent `id`. */
  retire?: (id: string) => Promise<void>;
  /** Whether the machine of agent `id` still runs (Slurm: squeue/scontrol), for `lost`. */
  running?: (id: string) => Promise<boolean>;
  /** Ends this install's machines that `live` says no run or agent needs; returns their ids. */
  reconcile?: (live: Liveness) => Promise<string[]>;
  /** Its machines in any state but gone (a stopped VM too); `backend.alive()` when not given. */
  machines?: () => Promise<number>;
}
