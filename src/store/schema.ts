/** Table shapes as Kysely sees them. Timestamps are ISO-8601 strings on every database. */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  name: string;
  /** Instance role: `admin` manages instance settings, compute profiles and credentials. */
  role: 'admin' | 'user';
  created_at: string;
  email: string | null;
  /** scrypt/argon2 hash; null for people who sign in only with SSO. */
  password_hash: string | null;
  disabled_at: string | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface LoginCodesTable {
  code_hash: string;
  user_id: string;
  expires_at: string;
  used_at: string | null;
}

export interface TokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scope: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** JSON array of project names the token is limited to; null = every project of its owner. */
  projects_json: string | null;
  expires_at: string | null;
}

export interface ProjectsTable {
  name: string;
  source: string;
  subdir: string | null;
  credentials_enc: string | null;
  settings_json: string;
  fetch_state: 'never' | 'fetching' | 'ok' | 'error';
  fetch_at: string | null;
  fetch_error: string | null;
  created_at: string;
  team_id: string | null;
}

export interface BlobCacheTable {
  oid: string;
  kind: string;
  json: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export type TeamRole = 'viewer' | 'member' | 'maintainer' | 'owner';

export interface TeamsTable {
  id: string;
  name: string;
  personal: number;
  monthly_cap_usd: number | null;
  created_at: string;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: TeamRole;
  created_at: string;
}

export interface ProjectMembersTable {
  project: string;
  user_id: string;
  role: TeamRole;
  created_at: string;
}

export interface InvitesTable {
  id: string;
  token_hash: string;
  name: string;
  email: string | null;
  team_id: string;
  role: TeamRole;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
}

export interface IdentitiesTable {
  provider: string;
  subject: string;
  user_id: string;
  email: string | null;
  created_at: string;
  last_login_at: string | null;
}

export interface SsoProvidersTable {
  id: string;
  kind: 'oidc' | 'github' | 'gitlab';
  display_name: string;
  config_json: string;
  secret_enc: string;
  created_at: string;
  updated_at: string;
}

export interface DeviceCodesTable {
  device_code_hash: string;
  user_code: string;
  client_name: string;
  token_name: string;
  scopes_json: string;
  created_at: string;
  expires_at: string;
  approved_by: string | null;
  approved_at: string | null;
  denied_at: string | null;
  consumed_at: string | null;
  last_poll_at: string | null;
}

export interface AuditEventsTable {
  id: string;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_kind: 'session' | 'token' | 'agent' | 'anonymous' | 'system';
  ip: string | null;
  action: string;
  project: string | null;
  target: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  detail_json: string;
}

export interface TeamsDatabase {
  teams: TeamsTable;
  team_members: TeamMembersTable;
  project_members: ProjectMembersTable;
  invites: InvitesTable;
  identities: IdentitiesTable;
  sso_providers: SsoProvidersTable;
  device_codes: DeviceCodesTable;
  audit_events: AuditEventsTable;
  run_owners: RunOwnersTable;
}

export interface RunOwnersTable {
  experiment_id: string;
  user_id: string;
  created_at: string;
}

export interface Database
  extends ExperimentsDatabase, LiveDatabase, ComputeDatabase, TeamsDatabase, AgentsDatabase, BytesDatabase {
  users: UsersTable;
  sessions: SessionsTable;
  login_codes: LoginCodesTable;
  tokens: TokensTable;
  projects: ProjectsTable;
  blob_cache: BlobCacheTable;
  settings: SettingsTable;
}

export type AutoId = Generated<number>;

export interface ExperimentsTable {
  id: string;
  project: string;
  name: string;
  baseline: string;
  message: string;
  change_set_json: string;
  target: string;
  timeout_sec: number;
  priority: number;
  /** Submission order; reordering the queue rewrites it. */
  queue_order: number;
  status: string;
  timeline_json: string;
  exit_code: number | null;
  error: string | null;
  result_commit: string | null;
  sweep_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobsTable {
  id: string;
  experiment_id: string;
  /** queued → claimed → done */
  state: string;
  agent_id: string | null;
  lease_until: string | null;
  cancel_requested: number;
  run_token_id: string | null;
  created_at: string;
}

export interface ExperimentsDatabase {
  experiments: ExperimentsTable;
  jobs: JobsTable;
}

export interface LiveExperimentsTable {
  id: string;
  project: string;
  baseline: string;
  name: string;
  kiln_experiment_id: string | null;
  summary_json: string;
  pushed: number;
  created_at: string;
  updated_at: string;
}

export interface LivePointsTable {
  experiment_id: string;
  plot: string;
  step: number;
  row_json: string;
}

export interface LiveImagesTable {
  experiment_id: string;
  plot: string;
  step: number;
  base64: string;
}

export interface LiveDatabase {
  live_experiments: LiveExperimentsTable;
  live_points: LivePointsTable;
  live_images: LiveImagesTable;
}

export interface ComputeCredentialsTable {
  name: string;
  kind: string;
  /** SecretBox-sealed JSON of the credential; never leaves the server. */
  secret_enc: string;
  summary: string;
  created_at: string;
  updated_at: string;
}

export interface ComputeProfilesTable {
  name: string;
  kind: string;
  settings_json: string;
  created_at: string;
}

export interface ComputeInstancesTable {
  id: string;
  profile: string;
  kind: string;
  native_id: string | null;
  zone: string | null;
  experiment_id: string | null;
  /** launching → running → ended */
  state: string;
  detail_json: string;
  created_at: string;
  ended_at: string | null;
}

export interface ComputeDatabase {
  compute_credentials: ComputeCredentialsTable;
  compute_profiles: ComputeProfilesTable;
  compute_instances: ComputeInstancesTable;
}

export interface AgentTokensTable {
  token_id: string;
  target: string;
  kind: string;
  machine_id: string | null;
  detail: string;
  zone: string | null;
  price_per_hour: number | null;
  /** An exchanged agent token: the bootstrap token whose record it shares. */
  via: string | null;
  /** A bootstrap token: until when it may be exchanged (ISO time). */
  bootstrap_until: string | null;
  /** A bootstrap token whose machine went: an exchange after this fails. */
  bootstrap_revoked: number;
  /** A bootstrap token: the agent token it was exchanged for. */
  exchanged_to: string | null;
  created_at: string;
}

export interface RunPlacementsTable {
  experiment_id: string;
  token_id: string | null;
  hostname: string;
  started_at: string;
}

export interface RunCheckpointsTable {
  experiment_id: string;
  sha: string;
  updated_at: string;
}

export interface ComputeMachinesTable {
  name: string;
  kind: string;
  settings_json: string;
  profile: string | null;
  /** Changes on every remember: a forget names the version it looked at. */
  version: string;
}

/** Failed machine launches of a compute target (`migration-015-launch-attempts.ts`). */
export interface LaunchAttemptsTable {
  target: string;
  attempts: number;
  first_at: string;
  next_at: string;
  last_error: string;
}

export interface AgentsDatabase {
  launch_attempts: LaunchAttemptsTable;
  agent_tokens: AgentTokensTable;
  run_placements: RunPlacementsTable;
  run_checkpoints: RunCheckpointsTable;
  compute_machines: ComputeMachinesTable;
}

export interface RunLogsTable {
  experiment_id: string;
  seq: number;
  stream: string;
  text: string;
}

export interface StoredFilesTable {
  key: string;
  part: number;
  data: Buffer;
}

export interface GitRefsTable {
  project: string;
  ref: string;
  sha: string;
  /** A git bundle of the ref's commits the project's upstream lacks. */
  bundle: Buffer;
  updated_at: string;
}

export interface BytesDatabase {
  run_logs: RunLogsTable;
  stored_files: StoredFilesTable;
  git_refs: GitRefsTable;
}
