import type { Value } from '../../../src/contracts/api.js';

function rank(v: Value | undefined): number {
  if (typeof v === 'number') return Number.isNaN(v) ? 3 : 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  return v === undefined ? 5 : 4;
}

/** Numbers numerically, then strings (natural order), booleans, others; missing values always last. */
export function compareValues(a: Value | undefined, b: Value | undefined): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b, undefined, { numeric: true });
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

/**
 * A comparator for a direction that keeps missing values at the bottom either way,
 * so sorting descending by a metric doesn't float the rows that lack it.
 */
export function directedCompare(a: Value | undefined, b: Value | undefined, desc: boolean): number {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  const c = compareValues(a, b);
  return desc ? -c : c;
}
