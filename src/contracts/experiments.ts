/**
 * Experiments on Kiln's own compute: HTTP bodies and responses. Routes (all `auth: user`):
 *
 * - `POST /api/projects/:name/experiments` body {@link CreateExperimentBody} → 201 {@link CreatedExperiments}
 * - `GET  /api/projects/:name/experiments` → {@link ExperimentList} (newest first)
 * - `GET  /api/projects/:name/experiments/:exp` → {@link Experiment}
 * - `POST /api/projects/:name/experiments/:exp/cancel` → {@link Experiment}
 * - `PATCH /api/projects/:name/experiments/:exp` body {@link UpdateExperimentBody} (queued only) → {@link Experiment}
 * - `GET  /api/projects/:name/experiments/:exp/logs?after=SEQ&wait=MS` → {@link LogPage};
 *   with `wait` the request long-polls until a chunk after `after` exists, the run ends, or `wait` passes.
 * - `GET  /api/projects/:name/experiments/:exp/logs/stream?after=SEQ` → `text/event-stream` of
 *   `data: {@link LogStreamEvent}` lines; ends after the `end` event.
 * - `POST /api/projects/:name/experiments/:exp/run-again` body {@link RunAgainBody} → 201 {@link CreatedExperiments}
 * - `POST /api/projects/:name/experiments/:exp/branch` body {@link CreateBranchBody} → {@link CreatedBranch}
 * - `GET  /api/projects/:name/experiments-form?rev=R` → {@link ExperimentForm} (params and default script)
 * - `POST /api/projects/:name/uploads?path=P` raw bytes (`content-type: application/octet-stream`,
 *   limit: setting `uploads.maxBytes`, default 1 GiB) → 201 {@link UploadedFile}; pass its id in `inputs`.
 * - `GET|PUT /api/compute/local` {concurrency} (PUT: admin): how many local runs at once (see compute.ts).
 * - `POST /api/agents/tokens` (admin) → {@link CreatedAgentToken}: a token for `kiln agent` on another machine.
 *
 * Browsers also get `experiment.status` and `experiment.log` events on `GET /api/events` (see events.ts).
 */
import { z } from 'zod';
import { ExperimentStatus, LaunchState, RepoPath, Value } from './api.js';
import { ComputeName, MachineOverrides, Placement, ResolvedMachine } from './compute.js';

/** Names Git resolves before any branch or tag: a branch or experiment by one would be shadowed. */
const GIT_SPECIAL_REFS =
  /^(?:HEAD|FETCH_HEAD|ORIG_HEAD|MERGE_HEAD|CHERRY_PICK_HEAD|REVERT_HEAD|BISECT_HEAD|AUTO_MERGE)$/i;

/** An experiment name as DVC accepts it: a valid Git ref component. */
export const ExperimentName = z
  .string()
  .min(1, 'experiment name is empty')
  .max(100, 'experiment name is longer than 100 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/,
    'experiment name may hold letters, digits, "_", "-" and single "." only',
  )
  .refine((n) => !n.endsWith('.lock'), { message: 'experiment name may not end in ".lock"' })
  .refine((n) => !GIT_SPECIAL_REFS.test(n), {
    message: 'experiment name may not be HEAD or another name Git gives a special meaning',
  });
export type ExperimentName = z.infer<typeof ExperimentName>;

/** A revision to start from: a commit sha (abbreviated or full), a branch or a tag. */
export const RevSpec = z
  .string()
  .min(1, 'rev is empty')
  .max(250)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'rev may hold letters, digits, ".", "_", "-" and "/" only')
  .refine((r) => !r.includes('..') && !r.includes('//') && !r.endsWith('/') && !r.endsWith('.lock'), {
    message: 'rev is not a valid Git revision name',
  });
export type RevSpec = z.infer<typeof RevSpec>;

/** A dotted key inside a params file: `train.lr`, `layers.0.units`. */
export const ParamKey = z
  .string()
  .min(1, 'param key is empty')
  .max(500)
  .refine((k) => k.split('.').every((s) => s.length > 0), { message: 'param key has an empty segment' });

/** One param override: the value keeps the type the param has in the baseline. */
export const ParamOverride = z.object({ file: RepoPath, key: ParamKey, value: Value });
export type ParamOverride = z.infer<typeof ParamOverride>;

/** A file of the repo replaced by an upload (`uploadId` from the upload route). */
export const ReplacedInput = z.object({ path: RepoPath, uploadId: z.string().regex(/^[a-z0-9-]{8,64}$/) });
export type ReplacedInput = z.infer<typeof ReplacedInput>;

/** What an experiment changes against its baseline. */
export const ChangeSet = z.object({
  params: z.array(ParamOverride).max(1000),
  inputs: z.array(ReplacedInput).max(100),
  /** The job script, run with `bash -e` in the project directory. */
  script: z.string().min(1).max(200_000),
});
export type ChangeSet = z.infer<typeof ChangeSet>;

/** `local` or the name of a compute profile. */
export const Target = ComputeName;
export type Target = z.infer<typeof Target>;

/**
 * The param edits of a request, one shape for a compute run (`CreateExperimentBody`) and a CI
 * commit (`CiCommitBody`): typed overrides, and `-S` arguments in the grammar of
 * `overrides.ts`, which the server reads on both routes (a CI commit refuses a sweep).
 */
export const ParamEdits = z.object({
  /** Typed overrides. */
  params: z.array(ParamOverride).max(1000).default([]),
  /** Overrides in DVC's `-S` syntax: `[FILE:]KEY=VALUE`, where VALUE may be `choice(…)`, `range(a,b[,step])` or `a,b,c` (a sweep). */
  set: z.array(z.string().min(1).max(10_000)).max(100).default([]),
});
export type ParamEdits = z.input<typeof ParamEdits>;

export const CreateExperimentBody = z.object({
  /** Baseline: a sha, branch or tag of the project. */
  rev: RevSpec,
  /** Defaults to a random DVC-style `adjective-noun`; for a sweep, a suffix `-1`, `-2`… is added. */
  name: ExperimentName.optional(),
  message: z.string().max(10_000).optional(),
  ...ParamEdits.shape,
  inputs: z.array(ReplacedInput).max(100).default([]),
  /** Replaces the default job script. */
  script: z.string().min(1).max(200_000).optional(),
  target: Target.default('local'),
  /**
   * For a cloud profile: the machine this run asks for, within the profile's limits (region, type,
   * GPU, disk, spot, max price). `timeoutSec` here is ignored: the run's own `timeoutSec` counts.
   * Refused for other targets.
   */
  machine: MachineOverrides.optional(),
  timeoutSec: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .default(86400),
  /** Higher runs first; equal priorities run in submission order. */
  priority: z.number().int().min(-1000).max(1000).default(0),
});
export type CreateExperimentBody = z.input<typeof CreateExperimentBody>;

export const TimelineEntry = z.object({ status: ExperimentStatus, at: z.string() });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const Experiment = z.object({
  id: z.string(),
  project: z.string(),
  name: z.string(),
  /** Full sha of the baseline commit. */
  baseline: z.string(),
  message: z.string(),
  changeSet: ChangeSet,
  target: Target,
  timeoutSec: z.number().int(),
  priority: z.number().int(),
  status: ExperimentStatus,
  timeline: z.array(TimelineEntry),
  exitCode: z.number().int().nullable(),
  /** Why it failed, was lost or cancelled, in words. */
  error: z.string().nullable(),
  /** The commit stored at {@link Experiment.ref} once the run succeeded. */
  resultCommit: z.string().nullable(),
  /** `refs/exps/<sha[:2]>/<sha[2:]>/<name>`. */
  ref: z.string(),
  sweepId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Sequence number of the last stored log chunk (0 before any output). */
  logSeq: z.number().int(),
  /** For a cloud profile: the machine the run asked for, resolved to the provider's terms. */
  machine: ResolvedMachine.nullable().optional(),
  /** Where it ran (host, Slurm job id, instance id); on the single-experiment answer. */
  placement: Placement.nullable().optional(),
  /** Queued, and its target failed to start a machine: the attempts, the next one, the last error. */
  launch: LaunchState.optional(),
});
export type Experiment = z.infer<typeof Experiment>;

export const CreatedExperiments = z.object({
  experiments: z.array(Experiment),
  sweepId: z.string().nullable(),
});
export type CreatedExperiments = z.infer<typeof CreatedExperiments>;

export const ExperimentList = z.object({ experiments: z.array(Experiment) });
export type ExperimentList = z.infer<typeof ExperimentList>;

export const UpdateExperimentBody = z.object({ priority: z.number().int().min(-1000).max(1000) });
export type UpdateExperimentBody = z.infer<typeof UpdateExperimentBody>;

export const RunAgainBody = z.object({ name: ExperimentName.optional() });
export type RunAgainBody = z.infer<typeof RunAgainBody>;

/** A new branch's name (without `refs/heads/`): not HEAD, not a full ref name. */
export const BranchName = RevSpec.refine((b) => !GIT_SPECIAL_REFS.test(b), {
  message: 'a branch may not be called HEAD or another name Git gives a special meaning',
}).refine((b) => !b.startsWith('refs/'), {
  message: 'give the branch name without "refs/…" (the branch "main", not "refs/heads/main")',
});
export type BranchName = z.infer<typeof BranchName>;

export const CreateBranchBody = z.object({ branch: BranchName, push: z.boolean().default(true) });
export type CreateBranchBody = z.input<typeof CreateBranchBody>;

export const CreatedBranch = z.object({ branch: z.string(), commit: z.string(), pushed: z.boolean() });
export type CreatedBranch = z.infer<typeof CreatedBranch>;

export const LogStream = z.enum(['stdout', 'stderr', 'system']);
export type LogStream = z.infer<typeof LogStream>;

/** A numbered piece of a job's output; `seq` starts at 1 and has no gaps. */
export const LogChunk = z.object({
  seq: z.number().int().min(1),
  stream: LogStream,
  text: z.string().max(1_000_000),
});
export type LogChunk = z.infer<typeof LogChunk>;

export const LogQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  wait: z.coerce.number().int().min(0).max(60_000).default(0),
});
export type LogQuery = z.infer<typeof LogQuery>;

export const LogPage = z.object({
  chunks: z.array(LogChunk),
  /** Pass as `after` to get what follows. */
  next: z.number().int(),
  status: ExperimentStatus,
  /** True once the run has ended and every chunk has been returned. */
  done: z.boolean(),
});
export type LogPage = z.infer<typeof LogPage>;

export const LogStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chunk'), chunk: LogChunk }),
  z.object({ type: z.literal('status'), status: ExperimentStatus }),
  z.object({ type: z.literal('end'), status: ExperimentStatus, exitCode: z.number().int().nullable() }),
]);
export type LogStreamEvent = z.infer<typeof LogStreamEvent>;

export const FormParam = z.object({ file: z.string(), key: z.string(), value: Value });
export type FormParam = z.infer<typeof FormParam>;

/** A file of the baseline the Run form offers to replace, relative to the project. */
export const FormInput = z.object({
  path: z.string(),
  /** `dvc`: hashed into the DVC cache and remote when replaced; `git`: committed with the experiment. */
  kind: z.enum(['dvc', 'git']),
  /** Not one of the pipeline's inputs: listed only under "show all". */
  hidden: z.boolean(),
});

/** The form lists at most this many files: a shorter list is every tracked file of the baseline. */
export const FORM_INPUTS_MAX = 5000;

export const ExperimentForm = z.object({
  baseline: z.string(),
  params: z.array(FormParam),
  defaultScript: z.string(),
  suggestedName: z.string(),
  /** The pipeline's input files first, then every other tracked file (hidden). */
  inputs: z.array(FormInput),
});
export type ExperimentForm = z.infer<typeof ExperimentForm>;

export const FormQuery = z.object({ rev: RevSpec });

export const UploadedFile = z.object({ uploadId: z.string(), size: z.number().int(), path: z.string() });
export type UploadedFile = z.infer<typeof UploadedFile>;

export const CreatedAgentToken = z.object({ token: z.string(), id: z.string() });
export type CreatedAgentToken = z.infer<typeof CreatedAgentToken>;

/** Final states live with the rest of the run lifecycle; re-exported for the many readers here. */
export { FINISHED, isFinished } from './run-lifecycle.js';

/** DVC's experiment ref layout. */
export function experimentRef(baseline: string, name: string): string {
  return `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/${name}`;
}
