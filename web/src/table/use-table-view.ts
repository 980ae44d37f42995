import { useCallback, useEffect, useState } from 'react';
import type { SortingState, VisibilityState } from '@tanstack/react-table';
import { z } from 'zod';
import { OPERATORS, type Condition } from './filter.js';

/** What a user arranged in a project's table; kept per project in localStorage across visits. */
const SavedView = z.object({
  order: z.array(z.string()).default([]),
  hidden: z.record(z.string(), z.boolean()).default({}),
  sorting: z.array(z.object({ id: z.string(), desc: z.boolean() })).default([]),
  conditions: z
    .array(
      z.union([
        z.object({ columnId: z.string(), op: z.enum(OPERATORS), value: z.number() }),
        z.object({ columnId: z.string(), op: z.literal('contains'), text: z.string() }),
      ]),
    )
    .default([]),
  baseline: z.string().nullable().default(null),
  deltas: z.boolean().default(false),
  showHidden: z.boolean().default(false),
  /** Only what is running (queued to saving, or a live experiment) and the commits it runs from. */
  liveOnly: z.boolean().default(false),
  /** Experiments folded under their commits: all of them, except the commits listed in `toggled`. */
  collapseAll: z.boolean().default(false),
  toggled: z.array(z.string()).default([]),
});
type SavedView = z.infer<typeof SavedView>;

const storageKey = (project: string): string => `kiln.table.${project}`;

function read(project: string): SavedView {
  try {
    const raw = window.localStorage.getItem(storageKey(project));
    const parsed = SavedView.safeParse(raw ? JSON.parse(raw) : {});
    if (parsed.success) return parsed.data;
  } catch {
    // A corrupt saved view is not worth an error: start fresh.
  }
  return SavedView.parse({});
}

export interface TableView {
  order: string[];
  setOrder: (o: string[]) => void;
  hidden: VisibilityState;
  setHidden: (h: VisibilityState) => void;
  sorting: SortingState;
  setSorting: (s: SortingState) => void;
  conditions: Condition[];
  setConditions: (c: Condition[]) => void;
  baseline: string | null;
  setBaseline: (rev: string | null) => void;
  deltas: boolean;
  setDeltas: (d: boolean) => void;
  showHidden: boolean;
  setShowHidden: (s: boolean) => void;
  liveOnly: boolean;
  setLiveOnly: (l: boolean) => void;
  collapseAll: boolean;
  /** Folds or unfolds every commit's experiments. */
  setCollapseAll: (c: boolean) => void;
  isCollapsed: (rev: string) => boolean;
  toggleCollapsed: (rev: string) => void;
}

export function useTableView(project: string): TableView {
  const [view, setView] = useState<SavedView>(() => read(project));
  useEffect(() => setView(read(project)), [project]);
  useEffect(() => {
    try {
      window.localStorage.setItem(storageKey(project), JSON.stringify(view));
    } catch {
      // Storage full or disabled: the view just won't persist.
    }
  }, [project, view]);
  // Stable between changes of the fold state, so the rows filtered with it are memoized.
  const isCollapsed = useCallback(
    (rev: string) => view.collapseAll !== view.toggled.includes(rev),
    [view.collapseAll, view.toggled],
  );
  const set =
    <K extends keyof SavedView>(k: K) =>
    (v: SavedView[K]) =>
      setView((prev) => ({ ...prev, [k]: v }));
  return {
    order: view.order,
    setOrder: set('order'),
    hidden: view.hidden,
    setHidden: set('hidden'),
    sorting: view.sorting,
    setSorting: set('sorting'),
    conditions: view.conditions,
    setConditions: set('conditions'),
    baseline: view.baseline,
    setBaseline: set('baseline'),
    deltas: view.deltas,
    setDeltas: set('deltas'),
    showHidden: view.showHidden,
    setShowHidden: set('showHidden'),
    liveOnly: view.liveOnly,
    setLiveOnly: set('liveOnly'),
    collapseAll: view.collapseAll,
    setCollapseAll: (collapseAll) => setView((prev) => ({ ...prev, collapseAll, toggled: [] })),
    isCollapsed,
    toggleCollapsed: (rev) =>
      setView((prev) => ({
        ...prev,
        toggled: prev.toggled.includes(rev) ? prev.toggled.filter((r) => r !== rev) : [...prev.toggled, rev],
      })),
  };
}
