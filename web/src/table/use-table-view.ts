import { useEffect, useState } from 'react';
import type { SortingState, VisibilityState } from '@tanstack/react-table';
import { z } from 'zod';
import { OPERATORS, type NumericCondition } from './filter.js';

/** What a user arranged in a project's table; kept per project in localStorage across visits. */
const SavedView = z.object({
  order: z.array(z.string()).default([]),
  hidden: z.record(z.string(), z.boolean()).default({}),
  sorting: z.array(z.object({ id: z.string(), desc: z.boolean() })).default([]),
  conditions: z
    .array(z.object({ columnId: z.string(), op: z.enum(OPERATORS), value: z.number() }))
    .default([]),
  baseline: z.string().nullable().default(null),
  deltas: z.boolean().default(false),
  showHidden: z.boolean().default(false),
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
  conditions: NumericCondition[];
  setConditions: (c: NumericCondition[]) => void;
  baseline: string | null;
  setBaseline: (rev: string | null) => void;
  deltas: boolean;
  setDeltas: (d: boolean) => void;
  showHidden: boolean;
  setShowHidden: (s: boolean) => void;
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
  };
}
