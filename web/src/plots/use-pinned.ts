import { useCallback, useEffect, useRef, useState } from 'react';
import type { TableRow } from '../../../src/contracts/api.js';

const storageKey = (project: string) => `kiln:pinned:${project}`;

function read(project: string): string[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(storageKey(project)) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export interface Pinned {
  revs: string[];
  toggle: (rev: string) => void;
  /** Keeps a pin on a row whose rev changed (a run's row takes its result commit's sha when it ends). */
  follow: (from: string, to: string) => void;
  clear: () => void;
}

/** Rows pinned for plotting and comparing, besides the selected one; kept for the browser tab. */
export function usePinned(project: string): Pinned {
  const [revs, setRevs] = useState<string[]>(() => read(project));
  useEffect(() => setRevs(read(project)), [project]);
  useEffect(() => sessionStorage.setItem(storageKey(project), JSON.stringify(revs)), [project, revs]);
  const toggle = useCallback(
    (rev: string) => setRevs((r) => (r.includes(rev) ? r.filter((x) => x !== rev) : [...r, rev])),
    [],
  );
  const follow = useCallback(
    (from: string, to: string) =>
      setRevs((r) => (r.includes(to) ? r.filter((x) => x !== from) : r.map((x) => (x === from ? to : x)))),
    [],
  );
  const clear = useCallback(() => setRevs([]), []);
  return { revs, toggle, follow, clear };
}

/** Pinned rows first, then the selected one if it is not pinned. */
export const chosenRevs = (pinned: readonly string[], selected: string | null): string[] =>
  selected === null || pinned.includes(selected) ? [...pinned] : [...pinned, selected];

/**
 * Pins follow experiment rows across a change of rev: a run's row is keyed by its id while it
 * runs and by its result commit once saved, and the plots of a run watched to the end stay.
 */
export function useFollowPins(pinned: Pinned, rows: readonly TableRow[]): void {
  const experimentOfRev = useRef(new Map<string, string>());
  const { revs, follow } = pinned;
  useEffect(() => {
    const known = experimentOfRev.current;
    const byExperiment = new Map<string, string>();
    for (const r of rows) {
      if (r.name === undefined || r.baseline === undefined) continue;
      const id = `${r.baseline}/${r.name}`;
      known.set(r.rev, id);
      byExperiment.set(id, r.rev);
    }
    const present = new Set(rows.map((r) => r.rev));
    for (const rev of revs) {
      if (present.has(rev)) continue;
      const id = known.get(rev);
      const now = id === undefined ? undefined : byExperiment.get(id);
      if (now !== undefined) follow(rev, now);
    }
  }, [rows, revs, follow]);
}
