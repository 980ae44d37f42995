/** The Store port: everything the server persists. SQLite and PostgreSQL implement it alike. */
import type { SignInFailureStore } from './kysely-signin.js';
import type { FetchState } from '../contracts/api.js';
import type { AuditStore } from './kysely-audit.js';
import type { DeviceCodeStore } from './kysely-device-codes.js';
import type { BudgetStore } from './kysely-budget.js';
import type { IdentityStore } from './kysely-identity.js';
import type { AgentStore } from './agent-port.js';
import type { FileStore, GitRefStore, RunLogStore } from './bytes-port.js';

export type * from './agent-port.js';
import type { TeamsStore } from './teams-port.js';
export type * from './bytes-port.js';

export interface UserRecord {
  id: string;
  name: string;
  role: 'admin' | 'user';
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  scope: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface ProjectRecord {
  name: string;
  source: string;
  subdir: string | null;
  credentialsEnc: string | null;
  settingsJson: string;
  fetchState: FetchState;
  fetchAt: string | null;
  fetchError: string | null;
  createdAt: string;
  /** The team that owns the project (the default team when none was named). */
  teamId?: string | null;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Returns the admin user, creating it on first call. */
  ensureAdmin(): Promise<{ user: UserRecord; created: boolean }>;
  getUser(id: string): Promise<UserRecord | null>;

  createLoginCode(codeHash: string, userId: string, expiresAt: string): Promise<void>;
  /** Marks the code used and returns its user, or null if unknown, used or expired. */
  consumeLoginCode(codeHash: string, now: string): Promise<UserRecord | null>;

  createSession(idHash: string, userId: string, expiresAt: string): Promise<void>;
  findSession(idHash: string, now: string): Promise<UserRecord | null>;
  deleteSession(idHash: string): Promise<void>;

  createToken(t: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    scope: string;
  }): Promise<TokenRecord>;
  listTokens(userId: string): Promise<TokenRecord[]>;
  revokeToken(id: string, userId: string): Promise<boolean>;
  /** Deletes tokens by scope (a deleted project's run tokens, `run:<experiment id>`). */
  deleteTokensByScope(scopes: readonly string[]): Promise<void>;
  findToken(tokenHash: string): Promise<{ token: TokenRecord; user: UserRecord } | null>;

  createProject(p: ProjectRecord): Promise<void>;
  getProject(name: string): Promise<ProjectRecord | null>;
  listProjects(): Promise<ProjectRecord[]>;
  updateProject(name: string, patch: Partial<Omit<ProjectRecord, 'name' | 'createdAt'>>): Promise<void>;
  deleteProject(name: string): Promise<boolean>;

  getBlobs(kind: string, oids: readonly string[]): Promise<Map<string, string>>;
  putBlobs(kind: string, entries: ReadonlyArray<{ oid: string; json: string }>): Promise<void>;

  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
  /** Stores `value` unless the key has one; returns what is stored (two servers agree on one). */
  claimSetting(key: string, value: string): Promise<string>;
  /** Removes settings rows (a deleted project's, say); absent keys are no error. */
  deleteSettings(keys: readonly string[]): Promise<void>;

  readonly experiments: ExperimentStore;
  /** Teams, memberships, roles, people and scoped tokens (kysely-teams.ts). */
  readonly teams: TeamsStore;
  readonly compute: ComputeStore;
  readonly live: LiveStore;
  readonly ci: CiStore;
  readonly audit: AuditStore;
  readonly deviceCodes: DeviceCodeStore;
  readonly budget: BudgetStore;
  /** Failed sign-ins, counted across servers (identity/rate-limit.ts). */
  readonly signIns: SignInFailureStore;
  /** Invites, passwords, SSO identities and providers (kysely-identity.ts). */
  readonly identity: IdentityStore;
  /** Compute agents' tokens, where runs were placed, checkpoints, machine-starting targets. */
  readonly agents: AgentStore;
  /** Run logs, uploads and pushed refs: bytes any server of a cluster must serve. */
  readonly logs: RunLogStore;
  readonly files: FileStore;
  readonly gitRefs: GitRefStore;

  /**
   * Runs `f` while no other caller holds `key`, in this process or (on PostgreSQL) in any server
   * on the database: a transaction-scoped advisory lock, let go when `f` settles or its server dies.
   */
  exclusive<T>(key: string, f: () => Promise<T>): Promise<T>;

  close(): Promise<void>;
}

export interface ExperimentRecord {
  id: string;
  project: string;
  name: string;
  baseline: string;
  message: string;
  changeSetJson: string;
  target: string;
  timeoutSec: number;
  priority: number;
  queueOrder: number;
  status: string;
  timelineJson: string;
  exitCode: number | null;
  error: string | null;
  resultCommit: string | null;
  sweepId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobRecord {
  id: string;
  experimentId: string;
  state: 'queued' | 'claimed' | 'done';
  agentId: string | null;
  leaseUntil: string | null;
  cancelRequested: boolean;
  runTokenId: string | null;
  createdAt: string;
}

/** Experiments and their jobs (the queue the scheduler hands to agents). */
export interface ExperimentStore {
  /** Inserts experiments with their jobs atomically: all or none. */
  insert(entries: ReadonlyArray<{ experiment: ExperimentRecord; job: JobRecord }>): Promise<void>;
  get(project: string, name: string): Promise<ExperimentRecord | null>;
  getById(id: string): Promise<ExperimentRecord | null>;
  list(project: string): Promise<ExperimentRecord[]>;
  update(id: string, patch: Partial<Omit<ExperimentRecord, 'id' | 'project' | 'name'>>): Promise<void>;
  getJob(id: string): Promise<JobRecord | null>;
  jobFor(experimentId: string): Promise<JobRecord | null>;
  updateJob(id: string, patch: Partial<Omit<JobRecord, 'id' | 'experimentId'>>): Promise<void>;
  /** Takes the next queued job of `target` (highest priority, then oldest); null when none. */
  claim(
    target: string,
    agentId: string,
    leaseUntil: string,
  ): Promise<{ job: JobRecord; experiment: ExperimentRecord } | null>;
  /** Jobs an agent holds. */
  claimed(): Promise<JobRecord[]>;
  /** How many jobs agents hold now for experiments of `target`. */
  claimedCount(target: string): Promise<number>;
  /** Number of experiments per project in a state that is not final. */
  activeCounts(): Promise<Map<string, number>>;
  /** Number of experiments per compute target in a state that is not final. */
  activeByTarget(): Promise<Map<string, number>>;
  /** The queued experiments of `target`, in dispatch order (highest priority, then oldest). */
  queued(target: string): Promise<ExperimentRecord[]>;
  /** Jobs agents hold for experiments of a target other than `target`, with that target. */
  claimedElsewhere(target: string): Promise<Array<{ job: JobRecord; target: string }>>;
}

/** An experiment reported over the live protocol; `summaryJson` is the folded LiveSummary. */
export interface LiveExperimentRecord {
  id: string;
  project: string;
  baseline: string;
  name: string;
  kilnExperimentId: string | null;
  summaryJson: string;
  pushed: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface LivePointRecord {
  plot: string;
  step: number;
  rowJson: string;
}

export interface LiveImageRecord {
  plot: string;
  step: number;
  base64: string;
}

/** Live experiments and their plot points: one point per (experiment, plot, step). */
export interface LiveStore {
  /** Writes experiments and upserts their points and images, in order, in one transaction. */
  save(batch: readonly LiveSave[]): Promise<void>;
  get(project: string, baseline: string, name: string): Promise<LiveExperimentRecord | null>;
  getById(id: string): Promise<LiveExperimentRecord | null>;
  list(project: string): Promise<LiveExperimentRecord[]>;
  /** Deletes experiments with their points and images; returns how many went. */
  remove(ids: readonly string[]): Promise<number>;
  points(experimentId: string): Promise<LivePointRecord[]>;
  images(experimentId: string): Promise<LiveImageRecord[]>;
}

export interface CredentialRecord {
  name: string;
  kind: string;
  secretEnc: string;
  summary: string;
  createdAt: string;
  updatedAt: string;
}

export interface ComputeProfileRecord {
  name: string;
  kind: string;
  settingsJson: string;
  createdAt: string;
}

/** A machine, pod, Slurm job or remote agent a backend started; the reconciler's ledger. */
export interface ComputeInstanceRecord {
  id: string;
  profile: string;
  kind: string;
  nativeId: string | null;
  zone: string | null;
  experimentId: string | null;
  state: 'launching' | 'running' | 'ended';
  detailJson: string;
  createdAt: string;
  endedAt: string | null;
}

/** Compute credentials (sealed), profiles and the instances backends started. */
export interface ComputeStore {
  putCredential(c: CredentialRecord): Promise<void>;
  getCredential(name: string): Promise<CredentialRecord | null>;
  listCredentials(): Promise<CredentialRecord[]>;
  deleteCredential(name: string): Promise<boolean>;
  /** Inserts; false when the name is taken. */
  createProfile(p: ComputeProfileRecord): Promise<boolean>;
  getProfile(name: string): Promise<ComputeProfileRecord | null>;
  listProfiles(): Promise<ComputeProfileRecord[]>;
  deleteProfile(name: string): Promise<boolean>;
  putInstance(i: ComputeInstanceRecord): Promise<void>;
  updateInstance(id: string, patch: Partial<Omit<ComputeInstanceRecord, 'id'>>): Promise<void>;
  /** Instances not ended, of one profile or all. */
  openInstances(profile?: string): Promise<ComputeInstanceRecord[]>;
  instancesFor(experimentId: string): Promise<ComputeInstanceRecord[]>;
}

/** One experiment's new state with the points and images an event brought. */
export interface LiveSave {
  experiment: LiveExperimentRecord;
  points: readonly LivePointRecord[];
  images: readonly LiveImageRecord[];
}

/** A commit's cached CI status (read from the forge at `checkedAt`) and the pull request Kiln opened for it. */
export interface CiCommitRecord {
  project: string;
  sha: string;
  state: string;
  url: string | null;
  prUrl: string | null;
  prNumber: number | null;
  cmlUrl: string | null;
  /** When the forge was last asked; null means never, or invalidated by a webhook. */
  checkedAt: string | null;
  updatedAt: string;
}

/** The CI status cache behind the experiments table's CI column, and Kiln's pull requests. */
export interface CiStore {
  get(project: string, shas: readonly string[]): Promise<CiCommitRecord[]>;
  /** Upserts state, url, CML report and checkedAt; a stored pull request is kept. */
  putStatus(
    entries: ReadonlyArray<
      Pick<CiCommitRecord, 'project' | 'sha' | 'state' | 'url' | 'cmlUrl' | 'checkedAt'>
    >,
  ): Promise<void>;
  /** Records the pull request Kiln opened for a commit; the status is kept (or `none`, unchecked). */
  putPullRequest(project: string, sha: string, pr: { url: string; number: number }): Promise<void>;
  /**
   * Marks statuses stale so the next read asks the forge again: the given shas, or every
   * commit of the project whose state is not final. Returns the shas invalidated.
   */
  invalidate(project: string, shas?: readonly string[]): Promise<string[]>;
  /** Forgets a project's commits (the project was deleted). */
  removeProject(project: string): Promise<void>;
}
