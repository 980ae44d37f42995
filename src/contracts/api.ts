/**
 * HTTP API contracts shared by server, CLI and web. Each schema is exported under the same name
 * as its type; the server validates every request body and query against these.
 */
import { z } from 'zod';
import { PasswordLoginBody } from './identity.js';
import { ProjectAccessInfo, TeamName, TeamRole, TokenScope } from './teams.js';

/** A project name: also its id in URLs and CLI commands. */
export const ProjectName = z
  .string()
  .min(1, 'project name is empty')
  .max(64, 'project name is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'project name may hold letters, digits, ".", "_" and "-" only');
export type ProjectName = z.infer<typeof ProjectName>;

/** Credentials for a project's Git remote; stored encrypted, never returned. */
export const GitCredentials = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('https-token'),
    username: z.string().max(200).optional(),
    token: z.string().min(1).max(10_000),
  }),
  z.object({ kind: z.literal('ssh-key'), privateKey: z.string().min(1).max(100_000) }),
]);
export type GitCredentials = z.infer<typeof GitCredentials>;

/** A repo-relative path: no absolute paths, no "..", no backslashes. */
/** True when `s` holds a control character (NUL, newline, escape…): no name or path Kiln takes has one. */
export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export const RepoPath = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').some((s) => s === '..' || s === '') && !p.includes('\\'),
    {
      message: 'must be a relative path inside the repository without ".." segments',
    },
  )
  // Control characters (NUL, newlines) are no file name a repository holds; Git refuses NUL.
  .refine((p) => !hasControlChars(p), { message: 'must not contain control characters' });
export type RepoPath = z.infer<typeof RepoPath>;

export const ProjectSettings = z.object({
  /** Params files to show when the repo has no dvc.yaml (default: params.yaml). */
  paramsFiles: z.array(RepoPath).max(100).default([]),
  /** Metrics files to show besides those dvc.yaml names. */
  metricsFiles: z.array(RepoPath).max(100).default([]),
  /**
   * An AWS credential stored in Settings → Credentials, for the project's S3 DVC remote: Kiln reads
   * with it, and runs get it as AWS_* variables (masked in logs). Unset: `.dvc/config` or the
   * usual AWS environment.
   */
  dvcCredential: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, 'a credential name')
    .nullable()
    .optional(),
});
export type ProjectSettings = z.infer<typeof ProjectSettings>;

export const CreateProjectBody = z.object({
  name: ProjectName,
  source: z.string().min(1, 'source is empty').max(4096),
  subdir: RepoPath.optional(),
  credentials: GitCredentials.optional(),
  settings: ProjectSettings.partial().optional(),
  /** The team that owns the project (default: the `default` team). */
  team: TeamName.optional(),
});
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

export const UpdateProjectBody = z.object({
  subdir: RepoPath.nullable().optional(),
  credentials: GitCredentials.nullable().optional(),
  settings: ProjectSettings.partial().optional(),
});
export type UpdateProjectBody = z.infer<typeof UpdateProjectBody>;

export const FetchState = z.enum(['never', 'fetching', 'ok', 'error']);
export type FetchState = z.infer<typeof FetchState>;

export const Project = z.object({
  name: ProjectName,
  source: z.string(),
  subdir: z.string().nullable(),
  hasCredentials: z.boolean(),
  settings: ProjectSettings,
  fetch: z.object({
    state: FetchState,
    at: z.string().nullable(),
    error: z.string().nullable(),
  }),
  lastCommit: z.object({ rev: z.string(), message: z.string(), date: z.string() }).nullable(),
  runningExperiments: z.number().int(),
  createdAt: z.string(),
  /** The caller's role and permissions in the project. */
  access: ProjectAccessInfo.optional(),
});
export type Project = z.infer<typeof Project>;

export const ProjectList = z.object({ projects: z.array(Project) });
export type ProjectList = z.infer<typeof ProjectList>;

/** A param or metric value as read from a file: JSON-like. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };
export const Value: z.ZodType<Value> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(Value), z.record(z.string(), Value)]),
);

export const ExperimentStatus = z.enum([
  'queued',
  'starting',
  'running',
  'saving',
  'succeeded',
  'failed',
  'cancelled',
  'lost',
  'stale',
  /** table rows only: an experiment `dvc exp push` stored in the repository, not a Kiln run */
  'pushed',
]);
export type ExperimentStatus = z.infer<typeof ExperimentStatus>;

/**
 * A queued run whose target could not start a machine: the failed launches so far, when the
 * next one is due and why the last one failed. Past `maxAttempts` or `giveUpAt` the run fails.
 */
export const LaunchState = z.object({
  attempts: z.number().int().min(1),
  maxAttempts: z.number().int().min(1),
  nextAt: z.string(),
  lastError: z.string(),
  giveUpAt: z.string(),
});
export type LaunchState = z.infer<typeof LaunchState>;

/** One row of the experiments table: a commit, or an experiment nested under its baseline. */
export const TableRow = z.object({
  rev: z.string(),
  message: z.string(),
  author: z.string(),
  date: z.string(),
  branches: z.array(z.string()),
  tags: z.array(z.string()),
  hidden: z.boolean(),
  parents: z.array(z.string()),
  params: z.record(z.string(), z.record(z.string(), Value)),
  metrics: z.record(z.string(), z.record(z.string(), Value)),
  /** Files that could not be read or parsed, with the parser's message. */
  errors: z.record(z.string(), z.string()),
  /** Present on experiment rows only. */
  name: z.string().optional(),
  baseline: z.string().optional(),
  status: ExperimentStatus.optional(),
  /** Experiment rows: where it runs, `local` or a compute profile's name. */
  target: z.string().optional(),
  /** Experiment rows of a sweep (one run over several values): the sweep's id, shared by its experiments. */
  sweep: z.string().optional(),
  /** A queued experiment row whose target failed to start a machine. */
  launch: LaunchState.optional(),
});
export type TableRow = z.infer<typeof TableRow>;

export const ColumnKind = z.enum(['params', 'metrics']);
export type ColumnKind = z.infer<typeof ColumnKind>;

/** A leaf column: one dotted key of one file. */
export const TableColumn = z.object({
  id: z.string(),
  kind: ColumnKind,
  file: z.string(),
  path: z.array(z.string()),
  types: z.array(z.enum(['number', 'string', 'boolean', 'null', 'array', 'object'])),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type TableColumn = z.infer<typeof TableColumn>;

export const TableQuery = z.object({
  all: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100_000).default(100_000),
  /** `rows` (default): each row carries its files as nested objects; `columns`: a {@link PackedTablePage}. */
  format: z.enum(['rows', 'columns']).default('rows'),
});
export type TableQuery = z.infer<typeof TableQuery>;

export const TablePage = z.object({
  project: ProjectName,
  total: z.number().int(),
  hiddenCount: z.number().int(),
  offset: z.number().int(),
  rows: z.array(TableRow),
  columns: z.array(TableColumn),
});
export type TablePage = z.infer<typeof TablePage>;

/**
 * A table row without its files: `values` holds one value per column of the page, in the page's
 * column order, so 500 key names are sent once rather than once a row. `null` there means the row
 * has no such key, unless the index is listed in `nulls` (the file really says null); trailing
 * absent values are left out.
 *
 * Neighbouring commits mostly share their params files, so a row may send only what differs from
 * the row before it in the page: `same` lists column ranges as flat `[from, to)` pairs whose cells
 * are the previous row's, and `values` then holds the other columns' cells only, in column order.
 */
export const PackedTableRow = TableRow.omit({ params: true, metrics: true }).extend({
  values: z.array(Value),
  nulls: z.array(z.number().int().min(0)).optional(),
  same: z.array(z.number().int().min(0)).optional(),
});
export type PackedTableRow = z.infer<typeof PackedTableRow>;

/** {@link TablePage} in the compact encoding the web table reads (`format=columns`). */
export const PackedTablePage = TablePage.omit({ rows: true }).extend({ rows: z.array(PackedTableRow) });
export type PackedTablePage = z.infer<typeof PackedTablePage>;

export const AccessToken = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  scope: z.string(),
  /** The projects the token is limited to; absent/null = every project of its owner. */
  projects: z.array(z.string()).nullable().optional(),
  expiresAt: z.string().nullable().optional(),
});
export type AccessToken = z.infer<typeof AccessToken>;

export const CreateTokenBody = z.object({
  name: z.string().min(1).max(100),
  /** read | run | live | admin (default admin: what the person may do). */
  scope: TokenScope.optional(),
  projects: z.array(ProjectName).max(100).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

export const CreatedToken = AccessToken.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof CreatedToken>;

export const LoginBody = z.union([
  z.object({ token: z.string().min(1).max(500) }),
  z.object({ code: z.string().min(1).max(500) }),
  PasswordLoginBody,
]);
export type LoginBody = z.infer<typeof LoginBody>;

export const Me = z.object({
  user: z.string(),
  role: z.enum(['admin', 'user']),
  /** The person's teams and role in each. */
  teams: z.array(z.object({ id: z.string(), name: z.string(), role: TeamRole })).optional(),
});
export type Me = z.infer<typeof Me>;

/**
 * `GET /api/me`: who is signed in, or `{user: null}` for a caller without credentials, so a
 * sign-in page checks the session without a failed request.
 */
export const MeAnswer = z.union([Me, z.object({ user: z.null() })]);
export type MeAnswer = z.infer<typeof MeAnswer>;

/** Every error response body. `code` comes from the table in errors.ts. */
export const ApiError = z.object({
  error: z.string(),
  code: z.string(),
  detail: z.string().optional(),
  /** The request's id in the server log. */
  requestId: z.string().optional(),
});
export type ApiError = z.infer<typeof ApiError>;
