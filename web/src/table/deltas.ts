import type { Value } from '../../../src/contracts/api.js';
import { formatNumber, isNumber } from './values.js';

/** value − baseline, when both are numbers. */
export function delta(value: Value | undefined, baseline: Value | undefined): number | undefined {
  if (!isNumber(value) || !isNumber(baseline)) return undefined;
  return value - baseline;
}

/** "+0.012", "−3", or "±0"; floating noise below 1e-12 relative counts as no change. */
export function formatDelta(d: number, scale = 1): string {
  if (Math.abs(d) <= 1e-12 * Math.max(1, Math.abs(scale))) return '±0';
  const text = formatNumber(Math.abs(d));
  return d > 0 ? `+${text}` : `−${text}`;
}
