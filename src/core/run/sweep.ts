import type { Value } from '../../contracts/api.js';
import { parseCliValue } from './coerce.js';

/** One `-S` argument: `[FILE:]KEY=VALUE`, VALUE being one value or a sweep. */
export interface SetArg {
  file: string;
  key: string;
  /** Raw texts of the values, one per sweep point (one for a plain override). */
  values: string[];
}

export type SetParse = { ok: true; value: SetArg } | { ok: false; error: string };

const DEFAULT_PARAMS = 'params.yaml';

/** Splits on commas outside brackets and quotes. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  return out;
}

function rangeValues(args: string[]): string[] | string {
  const nums = args.map((a) => Number(a));
  if (nums.length < 1 || nums.length > 3 || nums.some((n) => !Number.isFinite(n)))
    return 'range() takes 1 to 3 numbers';
  const [a = 0, b = 0, step = 1] = nums.length === 1 ? [0, nums[0] ?? 0, 1] : nums;
  if (step === 0) return 'range() step may not be 0';
  const count = Math.ceil((b - a) / step);
  if (count > 10_000) return 'range() makes more than 10000 values';
  const decimals = Math.max(...[a, b, step].map((n) => (String(n).split('.')[1] ?? '').length));
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(String(Number((a + i * step).toFixed(decimals))));
  return out;
}

/** Parses a `-S` argument in DVC's (Hydra's) syntax. */
export function parseSetArg(arg: string): SetParse {
  const eq = arg.indexOf('=');
  if (eq <= 0) return { ok: false, error: `-S "${arg}": expected [FILE:]KEY=VALUE` };
  const left = arg.slice(0, eq).trim();
  const right = arg.slice(eq + 1).trim();
  const colon = left.lastIndexOf(':');
  const file = colon >= 0 ? left.slice(0, colon) : DEFAULT_PARAMS;
  const key = colon >= 0 ? left.slice(colon + 1) : left;
  if (!file || !key || key.split('.').some((s) => !s))
    return { ok: false, error: `-S "${arg}": invalid file or key` };
  const fn = /^(choice|range)\((.*)\)$/s.exec(right);
  if (fn) {
    const args = splitTop(fn[2] ?? '').filter((x) => x !== '');
    if (fn[1] === 'choice') {
      if (args.length === 0) return { ok: false, error: `-S "${arg}": choice() needs values` };
      return { ok: true, value: { file, key, values: args } };
    }
    const r = rangeValues(args);
    if (typeof r === 'string') return { ok: false, error: `-S "${arg}": ${r}` };
    if (r.length === 0) return { ok: false, error: `-S "${arg}": range() is empty` };
    return { ok: true, value: { file, key, values: r } };
  }
  const parts = /^[[{]/.test(right) ? [right] : splitTop(right);
  return { ok: true, value: { file, key, values: parts.length > 1 ? parts : [right] } };
}

export interface Override {
  file: string;
  key: string;
  value: Value;
}

/** Every combination of the sweep points, first argument varying slowest, as DVC queues them. */
export function combinations(args: readonly SetArg[]): Override[][] {
  let out: Override[][] = [[]];
  for (const a of args) {
    const next: Override[][] = [];
    for (const combo of out)
      for (const v of a.values) next.push([...combo, { file: a.file, key: a.key, value: parseCliValue(v) }]);
    out = next;
  }
  return out;
}
