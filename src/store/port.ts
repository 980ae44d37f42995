/** The Store port: everything the server persists. SQLite and PostgreSQL implement it alike. */
import type { FetchState } from '../contracts/api.js';

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

  createToken(t: { id: string; userId: string; name: string; tokenHash: string; scope: string }): Promise<TokenRecord>;
  listTokens(userId: string): Promise<TokenRecord[]>;
  revokeToken(id: string, userId: string): Promise<boolean>;
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

  close(): Promise<void>;
}
