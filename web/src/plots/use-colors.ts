import { useMemo } from 'react';
import { assignColors } from './colors.js';
import type { PlotTarget } from './targets.js';

/** What names a plotted row for its colour: the experiment's name, else the commit. */
export const colorId = (t: Pick<PlotTarget, 'exp' | 'key'>): string => t.exp ?? t.key;

/**
 * Legend label → colour. An experiment's colour follows from its name, so it is the same in the
 * table's pane, on its own page and in Compare, whatever else is plotted with it.
 */
export function useStableColors(targets: readonly PlotTarget[]): Map<string, string> {
  const key = targets.map((t) => `${t.label}\u0001${colorId(t)}`).join('\u0000');
  return useMemo(() => {
    const byId = assignColors(targets.map(colorId));
    return new Map(targets.map((t) => [t.label, byId.get(colorId(t)) ?? '#888']));
  }, [key]);
}
