import type { Value } from '../../contracts/api.js';
import type { LiveEvent, PlotRow } from '../../contracts/live.js';

/** One stored point: a plot file, a step, and the row DVCLive wrote for it. */
export interface PlotPoint {
  plot: string;
  step: number;
  row: PlotRow;
}

/**
 * The plot file a name refers to. DVCLive prefixes names with the dvc.yaml that defines them
 * (`dvclive/dvc.yaml::dvclive/plots/metrics/acc.tsv`); the file alone keys rows from every source.
 */
export function plotKey(name: string): string {
  const i = name.lastIndexOf('::');
  return i === -1 ? name : name.slice(i + 2);
}

function stepOf(v: Value | undefined): number | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return null;
}

/**
 * The points a data event carries, one per (plot, step): a row without a step takes the event's,
 * and a step sent twice in one event keeps its last row.
 */
export function eventPoints(e: Extract<LiveEvent, { type: 'data' }>): PlotPoint[] {
  const out = new Map<string, PlotPoint>();
  for (const [name, plot] of Object.entries(e.plots ?? {})) {
    const key = plotKey(name);
    for (const raw of plot.data ?? []) {
      const step = stepOf(raw.step) ?? e.step;
      out.set(`${key}\0${step}`, { plot: key, step, row: { ...raw, step } });
    }
  }
  return [...out.values()];
}

/** Image plots of a data event, by plot file. */
export function eventImages(e: Extract<LiveEvent, { type: 'data' }>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, plot] of Object.entries(e.plots ?? {})) {
    if (plot.image !== undefined) out.set(plotKey(name), plot.image);
  }
  return out;
}

/** Rows merged by step, in step order: a step already present is replaced, never repeated. */
export function mergeRows(existing: readonly PlotRow[], incoming: readonly PlotRow[]): PlotRow[] {
  const byStep = new Map<number, PlotRow>();
  const loose: PlotRow[] = [];
  for (const r of [...existing, ...incoming]) {
    const s = stepOf(r.step);
    if (s === null) loose.push(r);
    else byStep.set(s, r);
  }
  return [...[...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r), ...loose];
}
