import type { Value } from '../../contracts/api.js';

/** Converts plain parsed data (YAML/JSON/TOML output) into a Value; dates become ISO strings. */
export function toValue(x: unknown): Value | undefined {
  if (x === null || typeof x === 'boolean' || typeof x === 'string') return x;
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  if (x instanceof Date) return x.toISOString();
  if (Array.isArray(x)) {
    const out: Value[] = [];
    for (const item of x) {
      const v = toValue(item);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  if (isRecord(x)) {
    const out: Record<string, Value> = {};
    for (const [k, item] of Object.entries(x)) {
      const v = toValue(item);
      if (v === undefined) return undefined;
      out[k] = v;
    }
    return out;
  }
  return undefined;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Date);
}

export function isValueRecord(x: Value | undefined): x is Record<string, Value> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** 1-based line number of a character offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
