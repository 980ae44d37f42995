import type { LiveUpdate, PlotDefinition, PlotRow, PlotSource } from '../../../src/contracts/live.js';

const DATA = /\.(tsv|csv|json|ya?ml)$/i;

/** Appends rows by `step`: a step already there is replaced, never doubled. */
export function appendRows(rows: readonly PlotRow[], added: readonly PlotRow[]): PlotRow[] {
  const out = [...rows];
  const at = new Map<unknown, number>();
  out.forEach((r, i) => {
    if (r.step !== undefined) at.set(r.step, i);
  });
  for (const r of added) {
    const i = r.step === undefined ? undefined : at.get(r.step);
    if (i === undefined) {
      if (r.step !== undefined) at.set(r.step, out.length);
      out.push(r);
    } else out[i] = r;
  }
  return out;
}

const defaultDefinition = (path: string): PlotDefinition => ({
  id: path,
  template: 'linear',
  x: 'step',
  y: null,
  title: null,
  xLabel: null,
  yLabel: null,
  files: [path],
});

/**
 * A `live.update` applied to the plotted sources: the experiment's series grow, a series seen for
 * the first time gets DVCLive's default plot. Other sources are returned as they were.
 */
export function mergeLiveUpdate(sources: readonly PlotSource[], update: LiveUpdate): PlotSource[] {
  return sources.map((s) => {
    if (s.kind !== 'experiment' || (s.id !== update.name && s.id !== update.id)) return s;
    const series = [...s.series];
    const definitions = [...s.definitions];
    const drawn = new Set(definitions.flatMap((d) => d.files));
    for (const [path, rows] of Object.entries(update.plots)) {
      const i = series.findIndex((x) => x.path === path);
      const prev = i === -1 ? undefined : series[i];
      const next = { path, rows: appendRows(prev?.rows ?? [], rows) };
      if (i === -1) series.push(next);
      else series[i] = next;
      if (!drawn.has(path) && DATA.test(path)) definitions.push(defaultDefinition(path));
    }
    return { ...s, status: update.status, series, definitions };
  });
}
