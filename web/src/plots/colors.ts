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

/** FNV-1a: a small, well-spread string hash, the same in every browser. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const slot = (i: number): string => (i < PALETTE.length ? (PALETTE[i] ?? extraColor(i)) : extraColor(i));

/** The colour an experiment (or commit) always asks for: a function of its name alone. */
export function preferredColor(id: string): string {
  return slot(hash(id) % PALETTE.length);
}

/**
 * Colours for the plotted ids, each its {@link preferredColor} wherever it is shown (table pane,
 * experiment page, Compare), whatever else is selected. Only two ids that ask for the same colour
 * in one plot are told apart: the first by name keeps it, the other takes the next free one.
 */
export function assignColors(ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  const byName = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of byName) {
    const first = hash(id) % PALETTE.length;
    let c = slot(first);
    // The palette round from the preferred slot, then golden-angle hues past it.
    for (let k = 1; used.has(c); k++)
      c = k < PALETTE.length ? slot((first + k) % PALETTE.length) : extraColor(k);
    used.add(c);
    out.set(id, c);
  }
  return new Map(ids.map((id) => [id, out.get(id) ?? preferredColor(id)]));
}
