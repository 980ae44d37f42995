/**
 * Live metrics in the protocol DVCLive already speaks (the `dvc-studio-client` package), and
 * what the UI reads of them. Routes:
 *
 * - `POST /api/live` with `Authorization: token <T>` (a user token, or the run token a Kiln job
 *   gets as `DVC_STUDIO_TOKEN`), body {@link LiveEvent} → 200 {@link LiveAck}. Failures answer
 *   400/401/403/404/413 with `{error, code, detail}`; the client treats anything but 200 as failure.
 * - `POST /webhook/dvc` (what `dvc exp push` sends), body {@link DvcWebhook} → 200 {@link DvcWebhookAnswer}.
 * - `GET /api/projects/:name/live` → {@link LiveExperimentList}: experiments reported live.
 * - `DELETE /api/projects/:name/live/:id` → 204: forgets a live experiment (typically a `stale` one).
 * - `GET /api/projects/:name/plots?exp=NAME&rev=SHA` (each repeatable) → {@link PlotsResponse}.
 *
 * Browsers get {@link LiveUpdate} as `live.update` on `GET /api/events` (see events.ts), at most
 * about four a second per experiment, each carrying only the plot rows new since the previous one.
 */
import { z } from 'zod';
import { ExperimentStatus, TableRow, type Value, hasControlChars } from './api.js';

/** Limits of one request; over them the server answers 413 with a `detail`. */
export const LIVE_LIMITS = {
  requestBytes: 30 * 1024 * 1024,
  plotBytes: 10 * 1024 * 1024,
  plots: 200,
} as const;

/** A commit sha as the client sends it: 40 hex digits (any case; stored lower-case). */
export const LiveSha = z
  .string()
  .regex(/^[0-9a-fA-F]{40}$/, 'expected a length 40 commit sha')
  .transform((s) => s.toLowerCase());

/** `{cls, text}`: an exception the client caught, as `dvc-studio-client` reports it. */
export const LiveError = z.object({ cls: z.string(), text: z.string() });
export type LiveError = z.infer<typeof LiveError>;

/** True when `v` is a {@link Value}: JSON's null, booleans, finite numbers, strings, arrays and plain objects. */
function isValue(v: unknown, depth: number): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (depth > 100) return false;
      if (Array.isArray(v)) return v.every((x) => isValue(x, depth + 1));
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const x of Object.values(v)) if (!isValue(x, depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/**
 * `{key: Value}`, checked by hand rather than as a record of {@link Value}'s recursive union:
 * live ingest validates every row of every plot, and zod's union was its costliest step. The
 * parsed object is passed through as it came, not copied.
 */
const ValueRecord = z.custom<Record<string, Value>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && isValue(v, 0),
  'expected an object of numbers, strings, booleans, null, lists or objects',
);

const FileValues = ValueRecord;

/** `{file: {data: {…}}}` or `{file: {error: {cls, text}}}`. */
export const LiveMetrics = z.record(
  z.string(),
  z.object({ data: FileValues.optional(), error: LiveError.optional() }),
);
export type LiveMetrics = z.infer<typeof LiveMetrics>;

/**
 * One point of a plot: `step` plus values. DVCLive sends `NaN`/`inf` as strings; they stay strings.
 * A missing `step` is taken from the event's `step`.
 */
export const PlotRow = ValueRecord;
export type PlotRow = z.infer<typeof PlotRow>;

/** `{data: [rows]}` (new rows only) or `{image: base64}`; `props` as in dvc.yaml. */
export const LivePlot = z.object({
  data: z.array(PlotRow).optional(),
  image: z.string().optional(),
  props: ValueRecord.optional(),
  error: LiveError.optional(),
});
export type LivePlot = z.infer<typeof LivePlot>;

const Base = {
  /** The Git remote of the project in any spelling: `git@host:o/r.git`, `https://host/o/r`, `ssh://…`. */
  repo_url: z.string().min(1, 'repo_url is empty').max(4096),
  baseline_sha: LiveSha,
  name: z.string().min(1, 'name is empty').max(250),
  client: z.string().max(100).optional(),
  env: ValueRecord.optional(),
  errors: z.array(LiveError).optional(),
  params: z.record(z.string(), FileValues).optional(),
  metrics: LiveMetrics.optional(),
  machine: ValueRecord.optional(),
};

export const LiveEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    ...Base,
    message: z.string().max(100_000).optional(),
    subdir: z.string().max(1024).optional(),
  }),
  z.object({
    type: z.literal('data'),
    ...Base,
    step: z.number({ error: 'a data event needs an integer "step"' }).int().min(0),
    plots: z.record(z.string(), LivePlot).optional(),
  }),
  z.object({ type: z.literal('done'), ...Base, experiment_rev: LiveSha.optional() }),
]);
export type LiveEvent = z.infer<typeof LiveEvent>;

/** What `POST /api/live` answers on success. */
export const LiveAck = z.object({ ok: z.literal(true), id: z.string(), url: z.string() });
export type LiveAck = z.infer<typeof LiveAck>;

export const DvcWebhook = z.object({
  repo_url: z.string().min(1).max(4096),
  client: z.string().max(100).optional(),
  refs: z.object({
    pushed: z.array(z.string().max(1024)).max(10_000).default([]),
    removed: z.array(z.string().max(1024)).max(10_000).default([]),
  }),
});
export type DvcWebhook = z.infer<typeof DvcWebhook>;

export const DvcWebhookAnswer = z.object({ url: z.string() });
export type DvcWebhookAnswer = z.infer<typeof DvcWebhookAnswer>;

/** An experiment reported over the live protocol. */
export const LiveExperiment = z.object({
  id: z.string(),
  project: z.string(),
  name: z.string(),
  baseline: z.string(),
  /** `running` until `done` (`succeeded`); `stale` after no event for the configured time. */
  status: ExperimentStatus,
  /** Set when Kiln itself started this experiment (its id in `/api/projects/:name/experiments`). */
  kilnExperimentId: z.string().nullable(),
  /** True when the baseline commit is not (yet) in the project: shown under "Detached experiments". */
  detached: z.boolean(),
  step: z.number().int().nullable(),
  message: z.string(),
  client: z.string(),
  experimentRev: z.string().nullable(),
  pushed: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  row: TableRow,
});
export type LiveExperiment = z.infer<typeof LiveExperiment>;

export const LiveExperimentList = z.object({ experiments: z.array(LiveExperiment) });
export type LiveExperimentList = z.infer<typeof LiveExperimentList>;

/** SSE `live.update`: an experiment's new state and the plot rows added since the last update. */
export const LiveUpdate = z.object({
  project: z.string(),
  id: z.string(),
  name: z.string(),
  baseline: z.string(),
  status: ExperimentStatus,
  step: z.number().int().nullable(),
  /** The experiment's table row, with its latest params and metrics. */
  row: TableRow,
  /** New or replaced rows per plot file (append by `step`; a known step replaces its row). */
  plots: z.record(z.string(), z.array(PlotRow)),
  /** Image plots that changed; fetch them with the plots route. */
  images: z.array(z.string()),
});
export type LiveUpdate = z.infer<typeof LiveUpdate>;

export const PlotTemplate = z.enum([
  'linear',
  'simple',
  'scatter',
  'smooth',
  'confusion',
  'confusion_normalized',
  'bar_horizontal',
  'bar_horizontal_sorted',
]);
export type PlotTemplate = z.infer<typeof PlotTemplate>;

/** A plot definition from dvc.yaml (top-level or a stage's), or DVCLive's default for a metric file. */
export const PlotDefinition = z.object({
  id: z.string(),
  template: PlotTemplate,
  /** A column, or per-file columns (`{file: column}`) for top-level plots. */
  x: z.union([z.string(), z.record(z.string(), z.string())]).nullable(),
  y: z.union([z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())]))]).nullable(),
  title: z.string().nullable(),
  xLabel: z.string().nullable(),
  yLabel: z.string().nullable(),
  /** The data files it draws, keys of {@link PlotSource.series}. */
  files: z.array(z.string()),
});
export type PlotDefinition = z.infer<typeof PlotDefinition>;

export const PlotSeries = z.object({ path: z.string(), rows: z.array(PlotRow) });
export type PlotSeries = z.infer<typeof PlotSeries>;

export const PlotImage = z.object({ path: z.string(), mime: z.string(), base64: z.string() });
export type PlotImage = z.infer<typeof PlotImage>;

/** Everything plottable of one commit or experiment. */
export const PlotSource = z.object({
  kind: z.enum(['commit', 'experiment']),
  /** Commit sha, or experiment name. */
  id: z.string(),
  rev: z.string(),
  status: ExperimentStatus.nullable(),
  definitions: z.array(PlotDefinition),
  series: z.array(PlotSeries),
  images: z.array(PlotImage),
  /** Files that could not be read, with why. */
  errors: z.record(z.string(), z.string()),
});
export type PlotSource = z.infer<typeof PlotSource>;

const OneRev = z
  .string()
  .max(250)
  .refine((r) => !hasControlChars(r), 'must not contain control characters');
const Many = z
  .union([OneRev, z.array(OneRev).max(1000)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const PlotsQuery = z.object({ exp: Many, rev: Many });
export type PlotsQuery = z.infer<typeof PlotsQuery>;

export const PlotsResponse = z.object({ project: z.string(), sources: z.array(PlotSource) });
export type PlotsResponse = z.infer<typeof PlotsResponse>;
