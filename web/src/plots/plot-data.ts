import type { Value } from '../../../src/contracts/api.js';
import type { PlotDefinition, PlotRow, PlotSource, PlotTemplate } from '../../../src/contracts/live.js';

/** A plotted source with the name its legend shows (experiment name, branch or short sha). */
export interface LabeledSource {
  label: string;
  source: PlotSource;
}

/** One point: `exp` colours it, `field` tells the y columns apart when a plot draws several. */
export interface Datum {
  exp: string;
  field: string;
  x: number | string;
  y: number | string;
}

export interface PlotModel {
  id: string;
  title: string;
  template: PlotTemplate;
  xLabel: string;
  yLabel: string;
  /** The distinct `field` values, in first-seen order. */
  fields: string[];
  xType: 'quantitative' | 'nominal';
  data: Datum[];
  /** Files of this plot that failed to read, per experiment. */
  errors: string[];
}

const IMAGE = /\.(png|jpe?g|gif|svg|webp)$/i;
const INDEX = 'step';
const SKIP_AS_Y = new Set(['step', 'timestamp']);

export const isImageDefinition = (d: PlotDefinition): boolean =>
  d.files.length > 0 && d.files.every((f) => IMAGE.test(f));

/** "dvclive/plots/metrics/train/loss.tsv" → "train/loss": what a human calls the plot. */
export function plotTitle(d: PlotDefinition): string {
  if (d.title) return d.title;
  return d.id.replace(/^dvclive\/plots\/metrics\//, '').replace(/\.(tsv|csv|json|ya?ml)$/i, '');
}

function xColumn(d: PlotDefinition, file: string): string | null {
  if (typeof d.x === 'string') return d.x;
  if (d.x) return d.x[file] ?? null;
  return null;
}

function yColumns(d: PlotDefinition, file: string, rows: readonly PlotRow[], x: string | null): string[] {
  if (typeof d.y === 'string') return [d.y];
  if (d.y) {
    const v = d.y[file];
    return v === undefined ? [] : typeof v === 'string' ? [v] : v;
  }
  // DVC's default y is the last column; DVCLive's files end with the metric.
  const keys = Object.keys(rows[0] ?? {}).filter((k) => k !== x && !SKIP_AS_Y.has(k));
  const last = keys[keys.length - 1];
  return last === undefined ? [] : [last];
}

/** Numbers stay numbers, numeric strings become numbers, "NaN"/"inf" and the rest are dropped. */
export function toNumber(v: Value | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const toCategory = (v: Value | undefined): string | undefined =>
  v === undefined || v === null || typeof v === 'object' ? undefined : String(v);

const categorical = (t: PlotTemplate): boolean => t === 'confusion' || t === 'confusion_normalized';
const barLike = (t: PlotTemplate): boolean => t === 'bar_horizontal' || t === 'bar_horizontal_sorted';

function point(t: PlotTemplate, row: PlotRow, x: string | null, y: string, i: number) {
  const rawX = x === null ? (row[INDEX] ?? i) : row[x];
  if (categorical(t)) {
    const cx = toCategory(rawX);
    const cy = toCategory(row[y]);
    return cx === undefined || cy === undefined ? undefined : { x: cx, y: cy };
  }
  if (barLike(t)) {
    // DVC's horizontal bars: x is the number, y the category.
    const nx = toNumber(rawX);
    const cy = toCategory(row[y]);
    return nx === undefined || cy === undefined ? undefined : { x: nx, y: cy };
  }
  const ny = toNumber(row[y]);
  if (ny === undefined) return undefined;
  const nx = toNumber(rawX);
  const cx = toCategory(rawX);
  if (nx !== undefined) return { x: nx, y: ny };
  return cx === undefined ? undefined : { x: cx, y: ny };
}

/** Everything one plot draws for the chosen experiments, in a flat shape Vega-Lite reads. */
export function buildPlot(d: PlotDefinition, sources: readonly LabeledSource[]): PlotModel {
  const data: Datum[] = [];
  const fields: string[] = [];
  const errors: string[] = [];
  let firstX: string | null = null;
  for (const { label, source } of sources) {
    for (const file of d.files) {
      const err = source.errors[file];
      if (err !== undefined) errors.push(`${label}: ${file}: ${err}`);
      const rows = source.series.find((s) => s.path === file)?.rows ?? [];
      const x = xColumn(d, file);
      firstX ??= x;
      for (const y of yColumns(d, file, rows, x)) {
        const field = d.files.length > 1 ? `${file}: ${y}` : y;
        if (!fields.includes(field)) fields.push(field);
        rows.forEach((row, i) => {
          const p = point(d.template, row, x, y, i);
          if (p) data.push({ exp: label, field, ...p });
        });
      }
    }
  }
  const nominalX = categorical(d.template) || data.some((p) => typeof p.x === 'string');
  return {
    id: d.id,
    title: plotTitle(d),
    template: d.template,
    xLabel: d.xLabel ?? firstX ?? INDEX,
    yLabel: d.yLabel ?? (fields.length === 1 ? (fields[0] ?? 'value') : 'value'),
    fields,
    xType: nominalX ? 'nominal' : 'quantitative',
    data,
    errors,
  };
}

/** A file a stage's `plots:` lists (or a directory's file) with no template, axes or title of its own. */
const bareFilePlot = (d: PlotDefinition): boolean =>
  d.files.length === 1 &&
  d.id === d.files[0] &&
  d.template === 'linear' &&
  d.x === null &&
  d.y === null &&
  d.title === null;

/**
 * Every data plot of the chosen sources, each definition once (sources share dvc.yaml). A bare
 * file plot that a named definition already draws is left out: the demo's `eval/plots` directory
 * holds confusion.json, which its "Confusion matrix" draws as a matrix; drawn again as the default
 * line chart it would mean nothing.
 */
export function collectDefinitions(sources: readonly LabeledSource[]): PlotDefinition[] {
  const seen = new Map<string, PlotDefinition>();
  for (const { source } of sources)
    for (const d of source.definitions) if (!seen.has(d.id) && !isImageDefinition(d)) seen.set(d.id, d);
  const all = [...seen.values()];
  const drawnByName = new Set(all.filter((d) => !bareFilePlot(d)).flatMap((d) => d.files));
  return all.filter((d) => !bareFilePlot(d) || !drawnByName.has(d.id));
}
