import type { Value } from '../../../src/contracts/api.js';
import { formatNumber, isNumber } from './values.js';

/** value − baseline, when both are numbers. */
export function delta(value: Value | undefined, baseline: Value | undefined): number | undefined {
  if (!isNumber(value) || !isNumber(baseline)) return undefined;
  return value - baseline;
}

/** Digits after the point in a value as the table shows it; undefined in exponent form. */
function decimalsShown(v: number): number | undefined {
  const text = formatNumber(v);
  if (/e/i.test(text)) return undefined;
  return text.split('.')[1]?.length ?? 0;
}

/**
 * "+0.012", "−3", or "±0"; floating noise below 1e-12 relative counts as no change. With the
 * compared values (`shown`), the delta keeps the decimals they are shown with: 0.340567 against
 * 0.335875 gives +0.004692, not +0.00469172.
 */
export function formatDelta(d: number, scale = 1, shown: readonly number[] = []): string {
  if (Math.abs(d) <= 1e-12 * Math.max(1, Math.abs(scale))) return '±0';
  const places = shown.map(decimalsShown);
  let text = formatNumber(Math.abs(d));
  if (places.length > 0 && places.every((p) => p !== undefined)) {
    const fixed = Math.abs(d).toFixed(Math.max(...places));
    // A change smaller than the shown precision still says it is not zero.
    if (Number(fixed) !== 0) text = fixed;
  }
  return d > 0 ? `+${text}` : `−${text}`;
}
