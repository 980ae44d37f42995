import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
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
 * Where a rev went: a run's row is keyed by its id while it runs and by its result commit once
 * saved. Returns, for a rev no longer in `rows`, the rev its experiment's row has now.
 */
export function useRevFollower(rows: readonly TableRow[]): (rev: string) => string | undefined {
  const experimentOfRev = useRef(new Map<string, string>());
  return useMemo(() => revFollower(experimentOfRev.current, rows), [rows]);
}

/**
 * The pure part of {@link useRevFollower}: `known` remembers the experiment of every rev seen
 * (it grows with each call), so a rev gone from `rows` maps to its experiment's rev now.
 */
export function revFollower(
  known: Map<string, string>,
  rows: readonly Pick<TableRow, 'rev' | 'name' | 'baseline'>[],
): (rev: string) => string | undefined {
  const byExperiment = new Map<string, string>();
  for (const r of rows) {
    if (r.name === undefined || r.baseline === undefined) continue;
    const id = `${r.baseline}/${r.name}`;
    known.set(r.rev, id);
    byExperiment.set(id, r.rev);
  }
  const present = new Set(rows.map((r) => r.rev));
  return (rev) => {
    if (present.has(rev)) return undefined;
    const id = known.get(rev);
    return id === undefined ? undefined : byExperiment.get(id);
  };
}

/** Pins follow experiment rows across a change of rev, so the plots of a run watched to the end stay. */
export function useFollowPins(pinned: Pinned, rows: readonly TableRow[]): void {
  const moved = useRevFollower(rows);
  const { revs, follow } = pinned;
  useEffect(() => {
    for (const rev of revs) {
      const now = moved(rev);
      if (now !== undefined) follow(rev, now);
    }
  }, [moved, revs, follow]);
}
