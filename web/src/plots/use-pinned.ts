import { useCallback, useEffect, useState } from 'react';

const storageKey = (project: string) => `kiln:pinned:${project}`;

function read(project: string): string[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(storageKey(project)) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Pinned rows by their row key (`rowKey`: a commit's sha, or the experiment's own key). */
export interface Pinned {
  revs: string[];
  toggle: (key: string) => void;
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
  const clear = useCallback(() => setRevs([]), []);
  return { revs, toggle, clear };
}

/** Pinned rows first, then the selected one if it is not pinned. */
export const chosenRevs = (pinned: readonly string[], selected: string | null): string[] =>
  selected === null || pinned.includes(selected) ? [...pinned] : [...pinned, selected];
