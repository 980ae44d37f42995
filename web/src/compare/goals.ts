import type { Value } from '../../../src/contracts/api.js';

/** Which way a metric should move. */
export type Goal = 'higher' | 'lower';
export type Verdict = 'better' | 'worse' | 'same' | 'none';
export type Goals = Readonly<Record<string, Goal>>;

const num = (v: Value | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/**
 * A value against the baseline under a column goal — the helper the table's cells use to colour
 * deltas. `none` when there is no goal or either side is not a number.
 */
export function judge(
  value: Value | undefined,
  baseline: Value | undefined,
  goal: Goal | undefined,
): Verdict {
  const v = num(value);
  const b = num(baseline);
  if (goal === undefined || v === undefined || b === undefined) return 'none';
  if (Math.abs(v - b) <= 1e-12 * Math.max(1, Math.abs(b))) return 'same';
  return v > b === (goal === 'higher') ? 'better' : 'worse';
}

/** Indexes of the best values under a goal (ties all win); empty with no goal or no numbers. */
export function bestIndexes(values: readonly (Value | undefined)[], goal: Goal | undefined): number[] {
  if (goal === undefined) return [];
  let best: number | undefined;
  for (const v of values) {
    const n = num(v);
    if (n !== undefined && (best === undefined || (goal === 'higher' ? n > best : n < best))) best = n;
  }
  if (best === undefined) return [];
  return values.flatMap((v, i) => (num(v) === best ? [i] : []));
}

/** none → higher → lower → none: what a click on a metric header's goal toggle does. */
export const nextGoal = (g: Goal | undefined): Goal | undefined =>
  g === undefined ? 'higher' : g === 'higher' ? 'lower' : undefined;

const key = (project: string) => `kiln:goals:${project}`;

export function readGoals(project: string, storage: Pick<Storage, 'getItem'> = localStorage): Goals {
  try {
    const raw: unknown = JSON.parse(storage.getItem(key(project)) ?? '{}');
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    const out: Record<string, Goal> = {};
    for (const [k, v] of Object.entries(raw)) if (v === 'higher' || v === 'lower') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

export function writeGoals(
  project: string,
  goals: Goals,
  storage: Pick<Storage, 'setItem'> = localStorage,
): void {
  storage.setItem(key(project), JSON.stringify(goals));
}
