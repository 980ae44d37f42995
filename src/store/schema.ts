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

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  login_codes: LoginCodesTable;
  tokens: TokensTable;
  projects: ProjectsTable;
  blob_cache: BlobCacheTable;
  settings: SettingsTable;
}

export type AutoId = Generated<number>;
