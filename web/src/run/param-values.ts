import { parse, stringify } from 'yaml';
import { Value } from '../../../src/contracts/api.js';
import { parseSweep, sweepSize } from '../../../src/contracts/overrides.js';

export type ParamKind = 'number' | 'string' | 'boolean' | 'null' | 'list' | 'dict';

export function kindOf(v: Value): ParamKind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'string';
}

/** The text an input starts with: numbers and strings as typed, lists inline and dicts as block YAML. */
export function formatParam(v: Value): string {
  switch (kindOf(v)) {
    case 'list':
      return stringify(v, { collectionStyle: 'flow' }).trim();
    case 'dict':
      return stringify(v).trimEnd();
    case 'null':
      return 'null';
    default:
      return String(v);
  }
}

/** What a typed text means for a param whose baseline value is `original`. */
export type ParamEdit =
  | { kind: 'value'; value: Value }
  | { kind: 'sweep'; text: string; count: number }
  | { kind: 'error'; message: string };

function sameKind(a: Value, b: Value): boolean {
  return kindOf(a) === kindOf(b);
}

function parseYaml(text: string): { ok: true; value: Value } | { ok: false; message: string } {
  try {
    const parsed = Value.safeParse(parse(text) ?? null);
    return parsed.success
      ? { ok: true, value: parsed.data }
      : { ok: false, message: 'not a plain YAML value' };
  } catch (err) {
    return {
      ok: false,
      message: err instanceof Error ? (err.message.split('\n')[0] ?? 'invalid YAML') : 'invalid YAML',
    };
  }
}

/**
 * Reads an input's text keeping the baseline's type: "3" for a string param stays the string "3";
 * a number param refuses "abc". Containers parse as YAML and must stay a list or a dict.
 */
export function parseParam(text: string, original: Value): ParamEdit {
  const kind = kindOf(original);
  if (kind !== 'list' && kind !== 'dict') {
    const sweep = parseSweep(text);
    if (!sweep.ok) return { kind: 'error', message: sweep.error };
    if (sweep.value.kind !== 'value')
      return { kind: 'sweep', text: text.trim(), count: sweepSize(sweep.value) };
  }
  switch (kind) {
    case 'number': {
      const t = text.trim();
      const n = t === '' ? NaN : Number(t);
      return Number.isFinite(n)
        ? { kind: 'value', value: n }
        : { kind: 'error', message: 'expects a number' };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === 'false') return { kind: 'value', value: t === 'true' };
      return { kind: 'error', message: 'expects true or false' };
    }
    case 'string':
      return { kind: 'value', value: text };
    case 'null': {
      const y = parseYaml(text);
      return y.ok ? { kind: 'value', value: y.value } : { kind: 'error', message: y.message };
    }
    case 'list':
    case 'dict': {
      const y = parseYaml(text);
      if (!y.ok) return { kind: 'error', message: y.message };
      if (!sameKind(y.value, original)) return { kind: 'error', message: `expects a ${kind} (YAML)` };
      return { kind: 'value', value: y.value };
    }
  }
}

export function sameValue(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
