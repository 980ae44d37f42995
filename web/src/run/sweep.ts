/** DVC's `-S` sweep syntax for one param: `choice(a,b)`, `range(start,stop[,step])` or `a,b,c`. */
export type SweepParse =
  { kind: 'single' } | { kind: 'sweep'; count: number } | { kind: 'error'; message: string };

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

/** How many values `range(start, stop, step)` yields; stop is exclusive, as in Hydra and Python. */
export function rangeCount(start: number, stop: number, step: number): number {
  if (step === 0 || !Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step)) return 0;
  // Nudge by a tiny epsilon so 0.1-steps over floats do not gain or lose a value to rounding.
  return Math.max(0, Math.ceil((stop - start) / step - 1e-9));
}

export function parseSweep(raw: string): SweepParse {
  const text = raw.trim();
  const call = /^(choice|range)\s*\((.*)\)$/s.exec(text);
  if (call) {
    const args = splitTopLevel(call[2] ?? '').filter((a) => a !== '');
    if (call[1] === 'choice') {
      return args.length === 0
        ? { kind: 'error', message: 'choice() needs at least one value' }
        : { kind: 'sweep', count: args.length };
    }
    const nums = args.map(Number);
    if (args.length < 2 || args.length > 3 || nums.some((n) => !Number.isFinite(n)))
      return { kind: 'error', message: 'range(start, stop[, step]) takes two or three numbers' };
    const [start = 0, stop = 0, step = 1] = nums;
    if (step === 0) return { kind: 'error', message: 'range step may not be 0' };
    const count = rangeCount(start, stop, step);
    return count === 0 ? { kind: 'error', message: 'range yields no values' } : { kind: 'sweep', count };
  }
  const parts = splitTopLevel(text);
  if (parts.length > 1) {
    if (parts.some((p) => p === '')) return { kind: 'error', message: 'empty value in the list' };
    return { kind: 'sweep', count: parts.length };
  }
  return { kind: 'single' };
}

/** Experiments a set of sweeps makes: the product of each sweep's size. */
export function experimentCount(sizes: readonly number[]): number {
  return sizes.reduce((n, s) => n * s, 1);
}
