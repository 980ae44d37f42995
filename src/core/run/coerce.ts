import { parse as parseYaml } from 'yaml';
import type { Value } from '../../contracts/api.js';

export type Coerced = { ok: true; value: Value } | { ok: false; error: string };

function kind(v: Value): 'null' | 'boolean' | 'number' | 'string' | 'list' | 'dict' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  return 'string';
}

/** Parses a `-S` value as DVC does (YAML), keeping it plain data. */
export function parseCliValue(text: string): Value {
  try {
    const v: unknown = parseYaml(text);
    return toPlain(v) ?? text;
  } catch {
    return text;
  }
}

function toPlain(v: unknown): Value | undefined {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (const x of v) {
      const p = toPlain(x);
      if (p === undefined) return undefined;
      out.push(p);
    }
    return out;
  }
  if (typeof v === 'object') {
    const out: Record<string, Value> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = toPlain(x);
      if (p === undefined) return undefined;
      out[k] = p;
    }
    return out;
  }
  return undefined;
}

/**
 * Gives `next` the type `current` has: a param keeps its type unless the new value cannot be
 * read as that type, which is an error naming the param. Strings given for a string param stay
 * strings even when they look like numbers; text given for a number is parsed.
 */
export function coerceValue(label: string, current: Value, next: Value): Coerced {
  const want = kind(current);
  if (want === 'null') return { ok: true, value: next };
  let v = next;
  if (typeof v === 'string' && want !== 'string') v = parseCliValue(v);
  const got = kind(v);
  if (want === got) return { ok: true, value: v };
  if (want === 'string' && (got === 'number' || got === 'boolean')) return { ok: true, value: String(v) };
  if (want === 'string' && typeof next === 'string') return { ok: true, value: next };
  return { ok: false, error: `${label} is a ${want}; ${JSON.stringify(next)} is not a ${want}` };
}
