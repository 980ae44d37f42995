/**
 * The override grammar, one module for the Run form, the server and the CLI: DVC's (Hydra's)
 * `-S [FILE:]KEY=VALUE`, where VALUE is one value or a sweep:
 *
 * - `a,b,c` — a list (split on top-level commas: `[1,2],[3]` is two lists, `"a,b"` one string);
 * - `choice(a,b,c)` — the same, spelled as Hydra does;
 * - `range(start,stop[,step])` — numbers from `start` up to but **excluding** `stop`, as Hydra's and
 *   Python's `range` (`range(0.1,0.4,0.1)` is 0.1, 0.2, 0.3). Steps may be fractional or negative;
 *   decimal steps are counted exactly, so 0.1-steps neither gain nor lose a value to rounding.
 *
 * A sweep's size is arithmetic ({@link sweepSize}), so a request is measured, and refused over
 * {@link MAX_EXPERIMENTS}, before a single combination is built. Values stay texts here; the
 * server reads each as YAML (as DVC does) and gives it the param's type. Pure and browser-safe.
 */

/** Most experiments one request may queue. */
export const MAX_EXPERIMENTS = 1000;

/** The default params file of a `-S KEY=VALUE` without `FILE:`. */
export const DEFAULT_PARAMS_FILE = 'params.yaml';

/** One value, a list of values (`a,b` or `choice(a,b)`), or an arithmetic range. */
export type Sweep =
  | { kind: 'value'; text: string }
  | { kind: 'list'; texts: string[] }
  | { kind: 'range'; start: number; stop: number; step: number };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** One `-S` argument. */
export interface SetArg {
  file: string;
  key: string;
  sweep: Sweep;
}

/** Splits on commas outside brackets and quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{' || ch === '(') depth++;
    else if (ch === ']' || ch === '}' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  parts.push(cur.trim());
  return parts;
}

/** Fewest decimals that write `x` exactly (up to 15), or null for values no decimal scale holds. */
function decimalsOf(x: number): number | null {
  for (let d = 0; d <= 15; d++) if (Number(x.toFixed(d)) === x) return d;
  return null;
}

/**
 * A range on an integer scale: `start`, `stop` and `step` times 10^decimals, when all three are
 * short decimals (what people type). Counting and stepping on integers is exact.
 */
function scaled(r: { start: number; stop: number; step: number }) {
  const ds = [r.start, r.stop, r.step].map(decimalsOf);
  if (ds.some((d) => d === null)) return null;
  const decimals = Math.max(...(ds as number[]));
  const f = 10 ** decimals;
  const [a, b, s] = [r.start, r.stop, r.step].map((x) => Math.round(x * f)) as [number, number, number];
  if ([a, b, s].some((x) => !Number.isSafeInteger(x)) || !Number.isSafeInteger(Math.abs(b - a))) return null;
  return { a, b, s, decimals, f };
}

/** How many values `range(start, stop, step)` yields: arithmetic, never expanding. */
export function rangeSize(start: number, stop: number, step: number): number {
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step) || step === 0) return 0;
  const i = scaled({ start, stop, step });
  if (i) {
    const span = i.s > 0 ? i.b - i.a : i.a - i.b;
    const st = Math.abs(i.s);
    return span <= 0 ? 0 : Math.floor((span + st - 1) / st);
  }
  // Values with more than 15 decimals: a float count, nudged so rounding does not add a value.
  const n = (stop - start) / step;
  return n <= 0 ? 0 : Math.max(0, Math.ceil(n - 1e-9));
}

/** Number of values of a sweep (1 for a single value). O(1). */
export function sweepSize(s: Sweep): number {
  switch (s.kind) {
    case 'value':
      return 1;
    case 'list':
      return s.texts.length;
    case 'range':
      return rangeSize(s.start, s.stop, s.step);
  }
}

/** The `i`-th value of a range as text (`0.30000000000000004` is written `0.3`). */
function rangeText(r: { start: number; stop: number; step: number }, i: number): string {
  const sc = scaled(r);
  if (sc) return String(Number(((sc.a + i * sc.s) / sc.f).toFixed(sc.decimals)));
  return String(r.start + i * r.step);
}

/** The texts of a sweep's values, in order. Check {@link sweepSize} against a cap first. */
export function sweepTexts(s: Sweep): string[] {
  switch (s.kind) {
    case 'value':
      return [s.text];
    case 'list':
      return [...s.texts];
    case 'range': {
      const n = rangeSize(s.start, s.stop, s.step);
      return Array.from({ length: n }, (_, i) => rangeText(s, i));
    }
  }
}

/** Reads one VALUE: a single value, a list, `choice(…)` or `range(…)`. */
export function parseSweep(raw: string): Parsed<Sweep> {
  const text = raw.trim();
  const call = /^(choice|range)\s*\((.*)\)$/s.exec(text);
  if (call) {
    const args = splitTopLevel(call[2] ?? '');
    if (call[1] === 'choice') {
      if (args.length === 1 && args[0] === '')
        return { ok: false, error: 'choice() needs at least one value' };
      if (args.some((a) => a === '')) return { ok: false, error: 'choice() has an empty value' };
      return { ok: true, value: { kind: 'list', texts: args } };
    }
    const nums = args.map((a) => (a === '' ? NaN : Number(a)));
    if (args.length < 2 || args.length > 3 || nums.some((n) => !Number.isFinite(n)))
      return { ok: false, error: 'range(start, stop[, step]) takes two or three numbers' };
    const [start = 0, stop = 0, step = 1] = nums;
    if (step === 0) return { ok: false, error: 'range() step may not be 0' };
    if (rangeSize(start, stop, step) === 0)
      return {
        ok: false,
        error: `range(${args.join(', ')}) yields no values (stop is excluded; a step of ${step} never reaches it)`,
      };
    return { ok: true, value: { kind: 'range', start, stop, step } };
  }
  const parts = splitTopLevel(text);
  if (parts.length > 1) {
    if (parts.some((p) => p === '')) return { ok: false, error: 'empty value in the list' };
    return { ok: true, value: { kind: 'list', texts: parts } };
  }
  return { ok: true, value: { kind: 'value', text } };
}

/** Parses a `-S` argument, `[FILE:]KEY=VALUE`. Errors quote the argument. */
export function parseSetArg(arg: string): Parsed<SetArg> {
  const eq = arg.indexOf('=');
  if (eq <= 0) return { ok: false, error: `-S "${arg}": expected [FILE:]KEY=VALUE` };
  const left = arg.slice(0, eq).trim();
  const colon = left.lastIndexOf(':');
  const file = colon >= 0 ? left.slice(0, colon) : DEFAULT_PARAMS_FILE;
  const key = colon >= 0 ? left.slice(colon + 1) : left;
  if (!file || !key || key.split('.').some((s) => !s))
    return { ok: false, error: `-S "${arg}": invalid file or key` };
  const sweep = parseSweep(arg.slice(eq + 1));
  if (!sweep.ok) return { ok: false, error: `-S "${arg}": ${sweep.error}` };
  return { ok: true, value: { file, key, sweep: sweep.value } };
}

/** Experiments a set of sweeps makes: the product of their sizes (Infinity past ~1e308). */
export function experimentCount(sizes: readonly number[]): number {
  return sizes.reduce((n, s) => n * s, 1);
}

/** Refuses a sweep over `max` experiments, before expanding anything; null when it fits. */
export function sweepTooLarge(args: readonly SetArg[], max = MAX_EXPERIMENTS): string | null {
  const n = experimentCount(args.map((a) => sweepSize(a.sweep)));
  if (n <= max) return null;
  const sizes = args.filter((a) => sweepSize(a.sweep) > 1).map((a) => `${a.key} ${sweepSize(a.sweep)}`);
  const count = Number.isSafeInteger(n)
    ? String(n)
    : Number.isFinite(n)
      ? `about ${n.toExponential(2)}`
      : 'more than 1e308';
  return `the sweep makes ${count} experiments (${sizes.join(' × ')}); ${max} at most`;
}

/** Every combination of the values, the first argument varying slowest, as DVC queues them. */
export function combinations(
  args: readonly SetArg[],
): Array<Array<{ file: string; key: string; text: string }>> {
  let out: Array<Array<{ file: string; key: string; text: string }>> = [[]];
  for (const a of args) {
    const texts = sweepTexts(a.sweep);
    const next: typeof out = [];
    for (const combo of out)
      for (const text of texts) next.push([...combo, { file: a.file, key: a.key, text }]);
    out = next;
  }
  return out;
}
