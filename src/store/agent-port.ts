/** The Store port's part for compute agents: real tables where hidden settings rows once were. */
import type { ComputeKind } from '../contracts/compute.js';

/** Which target minted an agent token and where its agent runs. */
export interface AgentPlacement {
  target: string;
  kind: ComputeKind;
  /** The machine, pod or Slurm job (null until the backend knows it). */
  machineId: string | null;
  detail: string;
  /** Cloud machines: their zone and on-demand hourly price, for the row's cost so far. */
  zone: string | null;
  pricePerHour: number | null;
}

/** A cloud VM's one-time bootstrap token and what became of it. */
export interface BootstrapRecord {
  tokenId: string;
  target: string;
  machineId: string | null;
  /** Until when it may be exchanged (ISO time). */
  until: string;
  /** Its machine went: an exchange now fails. */
  revoked: boolean;
  /** The agent token it was exchanged for. */
  exchangedTo: string | null;
  createdAt: string;
}

/** Where one experiment's job was claimed: the agent's token and its host. */
export interface RunPlacementRecord {
  experimentId: string;
  tokenId: string | null;
  hostname: string;
  startedAt: string;
}

/** A target that started machines, kept after its profile goes so the reconciler ends them. */
export interface MachineTargetRecord {
  name: string;
  kind: 'kubernetes' | 'aws' | 'gcp' | 'azure';
  settings: unknown;
  /** The profile of a variant (`PROFILE~hash`); null for the profile itself. */
  profile: string | null;
  /** Changes with every remember; `forgetMachineTarget` names the one it looked at. */
  version: string;
}

/**
 * The failed machine launches of a compute target since its last good one: the lease monitor
 * tries again at `nextAt` and gives up on the target's queued runs past the profile's limit.
 */
export interface LaunchAttemptRecord {
  target: string;
  /** Failed launches so far (1 after the first). */
  attempts: number;
  /** When the first of them failed (ISO time). */
  firstAt: string;
  /** When the next launch is due (ISO time). */
  nextAt: string;
  lastError: string;
}

export type ExchangeOutcome = 'exchanged' | 'refused' | 'unknown';

export interface AgentStore {
  /** Records (or updates) which target an agent token belongs to and where its agent runs. */
  place(tokenId: string, p: AgentPlacement): Promise<void>;
  /** The placement of an agent token, an exchanged token's through its bootstrap token. */
  placementOf(tokenId: string): Promise<AgentPlacement | null>;
  /** Records a bootstrap token with its placement and expiry. */
  openBootstrap(tokenId: string, p: AgentPlacement, until: string): Promise<void>;
  bootstrap(tokenId: string): Promise<BootstrapRecord | null>;
  /** Bootstrap tokens not revoked, oldest first: the reconciler checks their machines. */
  openBootstraps(): Promise<BootstrapRecord[]>;
  /**
   * Records that a bootstrap token was traded for `agentTokenId`, in one transaction: only if
   * the bootstrap token is known, not revoked and not exchanged before (else `refused`). Otherwise nothing is
   * written and the outcome says why.
   */
  exchange(bootstrapId: string, agentTokenId: string): Promise<ExchangeOutcome>;
  /**
   * Marks a bootstrap token revoked and returns the agent token it was exchanged for (null if
   * none yet: a later exchange then fails); null for a token that is no bootstrap token.
   */
  revokeBootstrap(tokenId: string): Promise<{ exchangedTo: string | null } | null>;

  /** Where an experiment's job was claimed; a later claim (a retry) replaces it. */
  putRunPlacement(p: RunPlacementRecord): Promise<void>;
  runPlacement(experimentId: string): Promise<RunPlacementRecord | null>;

  /** The checkpoint commit an interrupted run resumes from. */
  putCheckpoint(experimentId: string, sha: string): Promise<void>;
  checkpoint(experimentId: string): Promise<string | null>;

  /** Remembers a machine-starting target under a new version; returns it. */
  rememberMachineTarget(m: Omit<MachineTargetRecord, 'version'>): Promise<MachineTargetRecord>;
  machineTargets(): Promise<MachineTargetRecord[]>;
  /** Forgets a target only if it is still at `version` (not remembered again since); says whether. */
  forgetMachineTarget(name: string, version: string): Promise<boolean>;

  /** The failed launches of one target since its last good one; null when none failed. */
  launchAttempts(target: string): Promise<LaunchAttemptRecord | null>;
  /** Every target's failed launches. */
  allLaunchAttempts(): Promise<LaunchAttemptRecord[]>;
  putLaunchAttempts(r: LaunchAttemptRecord): Promise<void>;
  /** A launch worked, or nothing waits for one any more: the count starts again. */
  clearLaunchAttempts(target: string): Promise<void>;

  /**
   * Deletes what belongs to ended runs and machines: checkpoints of finished experiments, and
   * records of agent tokens that are revoked (or gone) and that no run placement names.
   * Returns how many rows went.
   */
  prune(): Promise<number>;
}
