import type { Value } from '../../contracts/api.js';
import { isValueRecord } from './value.js';

/** Interpolation of `${…}` in dvc.yaml, following dvc/parsing/interpolate.py. */

export type Context = Record<string, Value>;
export class InterpolationError extends Error {}

const KEYCRE = /(?<!\\)\$\{(.*?)\}/g;

/** Python's str() of a primitive, as DVC's to_str formats interpolated values. */
export function toStr(v: Value): string {
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (v === null) return 'None';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return v;
  throw new InterpolationError(`Cannot interpolate data of type '${Array.isArray(v) ? 'list' : 'dict'}'`);
}

function pyNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  const a = Math.abs(n);
  if (a < 1e-4 || a >= 1e16) {
    const [m = '', e = '0'] = n.toExponential().split('e');
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${m}e${sign}${digits}`;
  }
  return String(n);
}

/** Parses `a.b[0].c` (or `a.b.0`, `a[key]`) into keys, with DVC's grammar: word (.word | [word])*. */
function parseExpr(expr: string): string[] {
  const inner = expr.trim();
  if (!/^[^.[\]]+(?:\.[^.[\]]+|\[[^.[\]]+\])*$/.test(inner)) {
    throw new InterpolationError(`Failed to parse '\${${expr}}': expected a key such as "a.b" or "a[0]"`);
  }
  return [...inner.matchAll(/[^.[\]]+/g)].map((m) => m[0].trim());
}

export function select(ctx: Context, expr: string): Value {
  let cur: Value = ctx;
  for (const k of parseExpr(expr)) {
    let next: Value | undefined;
    if (Array.isArray(cur) && /^\d+$/.test(k)) next = cur[Number(k)];
    else if (isValueRecord(cur)) next = Object.hasOwn(cur, k) ? cur[k] : undefined;
    if (next === undefined) throw new InterpolationError(`Could not find '${expr.trim()}'`);
    cur = next;
  }
  return cur;
}

/** `--key value` flags for a mapping interpolated into a cmd, with DVC's default settings. */
function dictToFlags(d: Record<string, Value>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(flatten(d))) {
    if (typeof v === 'boolean') {
      if (v) parts.push(`--${k}`);
    } else if (typeof v === 'string') parts.push(`--${k} ${escapeStr(v)}`);
    else if (Array.isArray(v)) {
      v.forEach((item, n) => {
        if (typeof item === 'object' && item !== null)
          throw new InterpolationError(`Cannot interpolate nested iterable in '${k}'`);
        const s = typeof item === 'string' ? escapeStr(item) : toStr(item);
        parts.push(n > 0 ? s : `--${k} ${s}`);
      });
    } else parts.push(`--${k} ${toStr(v)}`);
  }
  return parts.join(' ');
}

function escapeStr(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\"'\"'")}'`;
}

function flatten(d: Record<string, Value>, prefix = ''): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(d)) {
    if (isValueRecord(v)) Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

export interface ResolveOpts {
  /** the value belongs to a stage's `cmd`: mappings become flags, whole values become strings */
  cmd?: boolean;
  /** lists and mappings may be produced (foreach / matrix data) */
  allowComposite?: boolean;
  /** told of every key an interpolation reads, as DVC tracks the vars a stage uses */
  onSelect?: (keys: string[], value: Value) => void;
}

function selectTracked(ctx: Context, expr: string, opts: ResolveOpts): Value {
  const v = select(ctx, expr);
  opts.onSelect?.(parseExpr(expr), v);
  return v;
}

export function resolveString(src: string, ctx: Context, opts: ResolveOpts = {}): Value {
  const matches = [...src.matchAll(KEYCRE)];
  if (matches.length === 0) return src.replace(/\\\$\{/g, '${');
  const first = matches[0];
  if (matches.length === 1 && first !== undefined && first[0] === src) {
    const v = selectTracked(ctx, first[1] ?? '', opts);
    if (typeof v === 'object' && v !== null) {
      if (opts.cmd === true && isValueRecord(v)) return dictToFlags(v);
      if (opts.allowComposite !== true) return toStr(v);
    }
    return opts.cmd === true ? toStr(v) : v;
  }
  let out = '';
  let last = 0;
  for (const m of matches) {
    const v = selectTracked(ctx, m[1] ?? '', opts);
    out += src.slice(last, m.index) + (opts.cmd === true && isValueRecord(v) ? dictToFlags(v) : toStr(v));
    last = m.index + m[0].length;
  }
  out += src.slice(last);
  return out.replace(/\\\$\{/g, '${');
}

/** Resolves every string (and mapping key) inside a value. */
export function resolveDeep(v: Value, ctx: Context, opts: ResolveOpts = {}): Value {
  if (typeof v === 'string') return resolveString(v, ctx, opts);
  if (Array.isArray(v)) return v.map((x) => resolveDeep(x, ctx, opts));
  if (isValueRecord(v)) {
    const out: Record<string, Value> = {};
    for (const [k, x] of Object.entries(v))
      out[toStr(resolveString(k, ctx, opts.onSelect ? { onSelect: opts.onSelect } : {}))] = resolveDeep(
        x,
        ctx,
        opts,
      );
    return out;
  }
  return v;
}

export function hasInterpolation(v: Value): boolean {
  if (typeof v === 'string') return /(?<!\\)\$\{/.test(v);
  if (Array.isArray(v)) return v.some(hasInterpolation);
  if (isValueRecord(v)) return Object.entries(v).some(([k, x]) => hasInterpolation(k) || hasInterpolation(x));
  return false;
}

/** Merges `update` into `into`; redefining a non-mapping key is an error, as in DVC. */
export function mergeContext(into: Context, update: Context, source: string): void {
  for (const [k, v] of Object.entries(update)) {
    const cur = into[k];
    if (isValueRecord(cur) && isValueRecord(v)) {
      const copy = { ...cur };
      mergeContext(copy, v, source);
      into[k] = copy;
    } else if (cur !== undefined) {
      throw new InterpolationError(
        `cannot redefine '${k}' from '${source}' as it already exists in the context`,
      );
    } else into[k] = v;
  }
}
