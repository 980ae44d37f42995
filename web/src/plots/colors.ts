/** Tableau-like categorical colours, readable on white; the first ones are the most distinct. */
export const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#eeca3b',
  '#9d755d',
  '#ff9da6',
  '#79706e',
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
] as const;

/** Beyond the palette: golden-angle hues, so any number of experiments gets distinct colours. */
export function extraColor(i: number): string {
  const hue = Math.round((i * 137.508 + 20) % 360);
  return `hsl(${String(hue)} 62% ${String(i % 2 ? 38 : 50)}%)`;
}

/**
 * One colour per experiment, stable while it stays plotted: ids keep the colour they had, new ids
 * take the first colour nobody uses. Removing an experiment never recolours the others.
 */
export function assignColors(
  ids: readonly string[],
  previous: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const had = previous.get(id);
    if (had !== undefined && !out.has(id)) out.set(id, had);
  }
  const used = new Set(out.values());
  let next = 0;
  const take = (): string => {
    for (;;) {
      const c = next < PALETTE.length ? (PALETTE[next] ?? extraColor(next)) : extraColor(next);
      next++;
      if (!used.has(c)) {
        used.add(c);
        return c;
      }
    }
  };
  for (const id of ids) if (!out.has(id)) out.set(id, take());
  return out;
}
