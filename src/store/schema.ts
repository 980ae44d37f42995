/** Table shapes as Kysely sees them. Timestamps are ISO-8601 strings on every database. */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  name: string;
  role: 'admin' | 'user';
  created_at: string;
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

export interface Database extends ExperimentsDatabase, LiveDatabase, ComputeDatabase {
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
