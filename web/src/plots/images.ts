import type { PlotImage } from '../../../src/contracts/live.js';
import type { LabeledSource } from './plot-data.js';

export interface ImageCell {
  exp: string;
  image: PlotImage | undefined;
}
export interface ImageRow {
  /** null for an image logged once (no step in its path). */
  step: number | null;
  cells: ImageCell[];
}
export interface ImageGroup {
  name: string;
  rows: ImageRow[];
}

/** "dvclive/plots/images/pred/12.png" → {name: "dvclive/plots/images/pred", step: 12}. */
export function imageKey(path: string): { name: string; step: number | null } {
  const m = /^(.*)\/(\d+)\.[A-Za-z]+$/.exec(path);
  if (m?.[1] !== undefined && m[2] !== undefined) return { name: m[1], step: Number(m[2]) };
  return { name: path, step: null };
}

/** Images as a grid: one group per image name, one row per step, one column per experiment. */
export function imageGrid(sources: readonly LabeledSource[]): ImageGroup[] {
  const groups = new Map<string, Map<number | null, Map<string, PlotImage>>>();
  for (const { label, source } of sources)
    for (const img of source.images) {
      const { name, step } = imageKey(img.path);
      const steps = groups.get(name) ?? new Map<number | null, Map<string, PlotImage>>();
      groups.set(name, steps);
      const byExp = steps.get(step) ?? new Map<string, PlotImage>();
      steps.set(step, byExp);
      byExp.set(label, img);
    }
  const labels = sources.map((s) => s.label);
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, steps]) => ({
      name,
      rows: [...steps]
        .sort(([a], [b]) => (a ?? -1) - (b ?? -1))
        .map(([step, byExp]) => ({ step, cells: labels.map((exp) => ({ exp, image: byExp.get(exp) })) })),
    }));
}
