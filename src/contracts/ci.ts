/**
 * CI experiment contracts: the CI workflow wizard, commits pushed for CI, forge CI status and
 * CML reports, forge settings and webhooks. Shared by server, CLI and web.
 */
import { z } from 'zod';
import { RepoPath } from './api.js';
import { ExperimentName, ParamEdits, ReplacedInput, RevSpec } from './experiments.js';

/** Characters that can go into a shell command line and a YAML scalar unquoted. */
const SAFE = /^[A-Za-z0-9._+-]+$/;
const safe = (what: string) =>
  z
    .string()
    .min(1, `${what} is empty`)
    .max(100)
    .regex(SAFE, `${what} may hold letters, digits, ".", "_", "+" and "-" only`);

export const CiSystem = z.enum(['github', 'gitlab', 'bitbucket']);
export type CiSystem = z.infer<typeof CiSystem>;

export const CiCloud = z.enum(['aws', 'azure', 'gcp', 'kubernetes']);
export type CiCloud = z.infer<typeof CiCloud>;

/** CML's synthetic regions; native regions (e.g. `eu-central-1`, `westeurope`, `us-central1-a`) are accepted too. */
export const SYNTHETIC_REGIONS = ['us-east', 'us-west', 'eu-north', 'eu-west'] as const;
/** CML's synthetic instance sizes; `m+t4`, `xl+v100`… add a GPU; native types (e.g. `p3.2xlarge`) are accepted too. */
export const SYNTHETIC_TYPES = ['s', 'm', 'l', 'xl'] as const;
/** GPUs CML names; native accelerator names are accepted too. */
export const KNOWN_GPUS = ['nogpu', 'k80', 'v100', 'tesla', 't4'] as const;

/** What the CI wizard asks; every field maps to one `cml runner launch` flag or to the job script. */
export const WizardInput = z.object({
  ci: CiSystem,
  cloud: CiCloud,
  /** `--cloud-region`; ignored for kubernetes. */
  region: safe('region').default('us-west'),
  /** `--cloud-type`: `s`/`m`/`l`/`xl`, optionally `+t4`/`+k80`/`+v100`, or a native type. */
  type: safe('type').default('m'),
  /** `--cloud-gpu`. */
  gpu: safe('gpu').optional(),
  /** `--cloud-hdd-size` in GB; below 100 is allowed but warned about. */
  hdd: z.number().int().min(1).max(65_536).optional(),
  /** `--cloud-spot`. */
  spot: z.boolean().default(false),
  /** `--reuse` or `--reuse-idle`. */
  reuse: z.enum(['none', 'reuse', 'reuse-idle']).default('none'),
  /** `--labels`; the training job runs on `[self-hosted, <first label>]`. */
  labels: z.array(safe('label')).min(1).max(20).default(['cml']),
  /** `--idle-timeout` in seconds; -1 never stops the runner. */
  idleTimeout: z.number().int().min(-1).max(31_536_000).optional(),
  /** The training job's script; empty or absent means the default one. */
  script: z.string().max(100_000).optional(),
  /** What the default script runs: `dvc exp run` (live metrics to Kiln) or `dvc repro`. */
  pipeline: z.enum(['exp-run', 'repro']).default('exp-run'),
});
export type WizardInput = z.input<typeof WizardInput>;
export type WizardConfig = z.output<typeof WizardInput>;

export const GeneratedWorkflow = z.object({
  /** The workflow file's text. */
  workflow: z.string(),
  /** Where it goes in the repository, e.g. `.github/workflows/cml.yaml`. */
  path: z.string(),
  /** Advice that does not stop generation (small disk, spot on kubernetes, …). */
  warnings: z.array(z.string()),
  /** Secrets the repository must define for this workflow. */
  secrets: z.array(z.string()),
});
export type GeneratedWorkflow = z.infer<typeof GeneratedWorkflow>;

export const ForgeKind = z.enum(['github', 'gitlab', 'bitbucket', 'gitea', 'git']);
export type ForgeKind = z.infer<typeof ForgeKind>;

/** A Git branch name as `git check-ref-format --branch` would accept it (a safe subset). */
export const BranchName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._/-]+$/, 'branch names may hold letters, digits, ".", "_", "/" and "-"')
  .refine(
    (b) =>
      !b.startsWith('-') &&
      !b.startsWith('/') &&
      !b.endsWith('/') &&
      !b.endsWith('.lock') &&
      !b.includes('..') &&
      !b.includes('//'),
    'not a valid branch name',
  );
export type BranchName = z.infer<typeof BranchName>;

/** `POST /api/projects/:name/ci-commits`: one commit with the params edits, pushed for CI to run. */
export const CiCommitBody = z.object({
  /** The baseline: a commit SHA, branch or tag the edits start from. */
  rev: RevSpec,
  /**
   * Param edits, as for a compute run ({@link ParamEdits}) but one value per param: the value keeps
   * the param's type; comments and formatting are kept.
   */
  ...ParamEdits.shape,
  /**
   * Input data replaced by uploads (as in a compute run; paths relative to the project): Git-tracked
   * files change in the commit, DVC-tracked ones are pushed to the DVC remote and their
   * `.dvc`/dvc.lock entry changes in the commit.
   */
  inputs: z.array(ReplacedInput).max(100).default([]),
  /**
   * Whole files to write, relative to the repository root (not the project subdir): the CI
   * wizard's "Commit this workflow" sends the generated workflow here.
   */
  files: z
    .array(z.object({ path: RepoPath, content: z.string().max(1_000_000) }))
    .max(20)
    .default([]),
  message: z.string().min(1, 'the commit message is empty').max(10_000),
  description: z.string().max(100_000).optional(),
  /** The branch the commit lands on, and the pull request's target. Default: the repository's default branch. */
  base: BranchName.optional(),
  /** `base`: push onto the base branch. `new`: push a new branch and open a pull request to base. */
  branch: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('base') }),
      z.object({ kind: z.literal('new'), name: BranchName.optional() }),
    ])
    .default({ kind: 'new' }),
  /** Adds `[skip studio]` to the message so the commit stays hidden in the table. */
  skipStudio: z.boolean().default(false),
});
export type CiCommitBody = z.input<typeof CiCommitBody>;

export const CiCommitResult = z.object({
  project: z.string(),
  /** The pushed commit. */
  rev: z.string(),
  branch: z.string(),
  base: z.string(),
  /** True when the base had moved and the commit was rebased onto it before pushing. */
  rebased: z.boolean(),
  forge: ForgeKind,
  /** How each replaced input went into the commit; `pushed` is false when the DVC remote had the data already. */
  inputs: z
    .array(
      z.discriminatedUnion('kind', [
        z.object({ path: z.string(), kind: z.literal('git') }),
        z.object({
          path: z.string(),
          kind: z.enum(['dvc-file', 'dvc-lock']),
          md5: z.string(),
          size: z.number().int(),
          pushed: z.boolean(),
        }),
      ]),
    )
    .default([]),
  pullRequest: z.discriminatedUnion('state', [
    z.object({ state: z.literal('opened'), url: z.string(), number: z.number().int() }),
    z.object({ state: z.literal('none'), reason: z.string() }),
    z.object({ state: z.literal('failed'), error: z.string() }),
  ]),
});
export type CiCommitResult = z.infer<typeof CiCommitResult>;

export const CiState = z.enum(['none', 'pending', 'running', 'passed', 'failed', 'cancelled']);
export type CiState = z.infer<typeof CiState>;

export const CiCheck = z.object({ name: z.string(), state: CiState, url: z.string().nullable() });
export type CiCheck = z.infer<typeof CiCheck>;

/** A comment on the commit that `cml comment create` wrote. */
export const CmlReport = z.object({ url: z.string(), author: z.string(), createdAt: z.string() });
export type CmlReport = z.infer<typeof CmlReport>;

/** `GET /api/projects/:name/commits/:rev/ci`. */
export const CommitCi = z.object({
  rev: z.string(),
  forge: ForgeKind,
  /** The overall state: failed beats running beats pending beats passed; `none` when no CI reported. */
  state: CiState,
  checks: z.array(CiCheck),
  reports: z.array(CmlReport),
  /** Why the state is unknown (no API token, plain Git, forge error). */
  note: z.string().nullable(),
});
export type CommitCi = z.infer<typeof CommitCi>;

/** A forge host Kiln should recognise: self-hosted GitLab, GitHub Enterprise, Gitea. */
export const ForgeHost = z.object({
  host: z.string().min(1).max(255),
  kind: ForgeKind,
  /** API base URL; default from the kind and host (e.g. `https://HOST/api/v3` for GitHub Enterprise). */
  apiUrl: z.string().url().optional(),
});
export type ForgeHost = z.infer<typeof ForgeHost>;

/** Server-wide CI settings (`GET`/`PUT /api/ci/settings`, admin only). */
export const CiSettings = z.object({
  hosts: z.array(ForgeHost).max(100).default([]),
  /** The secret every forge webhook must carry (HMAC key or token). */
  webhookSecret: z.string().min(16).max(200).optional(),
});
export type CiSettings = z.infer<typeof CiSettings>;

export const WebhookResult = z.object({
  forge: ForgeKind,
  event: z.string(),
  /** Projects whose source matches the payload's repository, reloaded. */
  reloaded: z.array(z.string()),
});
export type WebhookResult = z.infer<typeof WebhookResult>;

/** What the experiments table shows for one commit: its CI state, the CI run, Kiln's PR, the CML report. */
export const CommitCiSummary = z.object({
  state: CiState,
  /** The CI run to open: the failing, running or first check's page. */
  url: z.string().nullable(),
  /** The pull request Kiln opened for this commit. */
  pr: z.object({ url: z.string(), number: z.number().int() }).nullable(),
  /** The newest CML report on the commit. */
  cml: z.object({ url: z.string() }).nullable(),
});
export type CommitCiSummary = z.infer<typeof CommitCiSummary>;

/** At most this many commits per `GET /api/projects/:name/ci/commits` call. */
export const MAX_CI_SUMMARY_SHAS = 200;

/** `?shas=a,b,…`: full commit ids (40 or 64 lowercase hex digits), comma-separated. */
export const CiSummariesQuery = z.object({
  shas: z
    .string()
    .max(MAX_CI_SUMMARY_SHAS * 65)
    .transform((s) => [...new Set(s.split(',').filter((x) => x !== ''))])
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/,
              'each sha must be a full commit id (40 or 64 hex digits)',
            ),
        )
        .min(1, 'give at least one sha')
        .max(MAX_CI_SUMMARY_SHAS, `at most ${MAX_CI_SUMMARY_SHAS} shas per call`),
    ),
});
export type CiSummariesQuery = z.input<typeof CiSummariesQuery>;

/** `GET /api/projects/:name/ci/commits?shas=…`: one summary per asked sha, keyed as asked. */
export const CiSummaries = z.record(z.string(), CommitCiSummary);
export type CiSummaries = z.infer<typeof CiSummaries>;

/** What a pull request through the forge came to: opened, not possible (plain Git), or refused by the forge. */
export const PullRequestOutcome = z.discriminatedUnion('state', [
  z.object({ state: z.literal('opened'), url: z.string(), number: z.number().int() }),
  z.object({ state: z.literal('none'), reason: z.string() }),
  z.object({ state: z.literal('failed'), error: z.string() }),
]);
export type PullRequestOutcome = z.infer<typeof PullRequestOutcome>;

/** `POST /api/projects/:name/experiments/:exp/pull-request`: the result commit → a branch → a pull request. */
export const ExperimentPullRequestBody = z.object({
  /** Default `exp-<experiment name>`; reused when it already points at the result commit. */
  branch: BranchName.optional(),
  /** Default: the repository's default branch. */
  base: BranchName.optional(),
  title: z.string().trim().min(1).max(300).optional(),
  description: z.string().max(100_000).optional(),
});
export type ExperimentPullRequestBody = z.input<typeof ExperimentPullRequestBody>;

export const ExperimentPullRequest = z.object({
  project: z.string(),
  experiment: ExperimentName,
  commit: z.string(),
  branch: z.string(),
  base: z.string(),
  forge: ForgeKind,
  pullRequest: PullRequestOutcome,
});
export type ExperimentPullRequest = z.infer<typeof ExperimentPullRequest>;

/** `GET /api/projects/:name/ci/forge`: which forge the project's remote is on, and whether it takes pull requests. */
export const ProjectForge = z.object({
  forge: ForgeKind,
  pullRequests: z.boolean(),
  /** Why there are no pull requests (plain Git, missing token). */
  note: z.string().nullable(),
  /** Where the default branch keeps a workflow made by Kiln's CI wizard; null when it has none. */
  kilnWorkflow: z.string().nullable().optional(),
});
export type ProjectForge = z.infer<typeof ProjectForge>;

/** `PUT /api/projects/:name/ci/webhook` (admin): a project's own webhook secret; `"generate"` makes one, `null` removes it. */
export const ProjectWebhookBody = z.object({
  secret: z.union([z.literal('generate'), z.string().min(16).max(200), z.null()]),
});
export type ProjectWebhookBody = z.infer<typeof ProjectWebhookBody>;

/** A project's webhook secret as an admin sees it, to paste into the forge's webhook settings. */
export const ProjectWebhook = z.object({
  project: z.string(),
  secret: z.string().nullable(),
  /** The path to give the forge, after Kiln's address: `/webhook/<forge>`. */
  paths: z.array(z.string()),
});
export type ProjectWebhook = z.infer<typeof ProjectWebhook>;
