import { parseDocument, visit } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { toLockValue, type LockValue } from './dvc-lock.js';
import { paramsFormat, parseParamsFile } from './params-file.js';
import type { Value } from '../../contracts/api.js';
import { parsePythonParams, PY_FLOAT_MARK } from './py-params.js';
import { toValue } from './value.js';
import { PyFloat } from './yaml-emit.js';

export type ParamsLockResult = { ok: true; value: Record<string, LockValue> } | { ok: false; error: string };

/**
 * Reads a params file keeping floats such as `1.0` as floats, as DVC records them in dvc.lock
 * (Python's YAML, JSON and TOML loaders all keep `1.0` a float, and dvc.lock writes it `1.0`).
 */
export function parseParamsForLock(path: string, text: string): ParamsLockResult {
  const plain = parseParamsFile(path, text);
  if (!plain.ok) return plain;
  switch (paramsFormat(path)) {
    case 'yaml':
      return yamlForLock(text, plain);
    case 'json':
      return asMapping(new JsonReader(text).read(), plain);
    case 'toml':
      return asMapping(tomlForLock(parseToml(text, { integersAsBigInt: true })), plain);
    case 'python': {
      const marked = parsePythonParams(text, { markFloats: true });
      return marked.ok ? asMapping(unmarkFloats(marked.value), plain) : plain;
    }
  }
}

function unmarkFloats(v: Value): LockValue {
  if (typeof v === 'string' && v.startsWith(PY_FLOAT_MARK))
    return new PyFloat(Number(v.slice(PY_FLOAT_MARK.length)));
  if (Array.isArray(v)) return v.map(unmarkFloats);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, LockValue> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, unmarkFloats(x));
    return out;
  }
  return v;
}

function asMapping(v: LockValue, plain: ParamsLockResult): ParamsLockResult {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof PyFloat)
    ? { ok: true, value: v }
    : plain;
}

function yamlForLock(text: string, plain: ParamsLockResult): ParamsLockResult {
  const doc = parseDocument(text);
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'number' && Number.isInteger(node.value) && /[.eE]/.test(node.source ?? '')) {
        node.value = new PyFloat(node.value);
      }
    },
  });
  return asMapping(toLockValue(doc.toJS()), plain);
}

/** TOML read with integers as bigint, so every JS number left is a TOML float. */
function tomlForLock(x: unknown): LockValue {
  if (typeof x === 'bigint') return Number(x);
  if (typeof x === 'number') return Number.isInteger(x) ? new PyFloat(x) : x;
  if (Array.isArray(x)) return x.map(tomlForLock);
  if (typeof x === 'object' && x !== null && !(x instanceof Date)) {
    const out: Record<string, LockValue> = {};
    for (const [k, v] of Object.entries(x)) setOwn(out, k, tomlForLock(v));
    return out;
  }
  return toValue(x) ?? null;
}

function setOwn(o: Record<string, LockValue>, k: string, v: LockValue): void {
  // a key named __proto__ is data in a params file, never the object's prototype
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const NUMBER = /-?\d+(\.\d+)?([eE][-+]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;

/**
 * A JSON reader for text JSON.parse already accepted, that tells `1.0` (a float to Python's json)
 * from `1`; JSON.parse cannot, and Node 20 has no reviver source access.
 */
class JsonReader {
  private i = 0;
  constructor(private readonly text: string) {}

  read(): LockValue {
    this.ws();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.number();
  }

  private object(): LockValue {
    const out: Record<string, LockValue> = {};
    this.i++;
    this.ws();
    if (this.text[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.ws();
      this.i++; // ':'
      setOwn(out, key, this.read());
      this.ws();
      if (this.text[this.i++] === '}') return out;
    }
  }

  private array(): LockValue {
    const out: LockValue[] = [];
    this.i++;
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.read());
      this.ws();
      if (this.text[this.i++] === ']') return out;
    }
  }

  private string(): string {
    STRING.lastIndex = this.i;
    const m = STRING.exec(this.text);
    if (m === null) throw new Error(`not JSON at offset ${this.i}`);
    this.i = STRING.lastIndex;
    return JSON.parse(m[0]) as string;
  }

  private number(): LockValue {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (m === null) throw new Error(`not JSON at offset ${this.i}`);
    this.i = NUMBER.lastIndex;
    const n = Number(m[0]);
    return (m[1] !== undefined || m[2] !== undefined) && Number.isInteger(n) ? new PyFloat(n) : n;
  }

  private ws(): void {
    while (/[ \t\n\r]/.test(this.text[this.i] ?? '')) this.i++;
  }
}

/** The values dvc.lock records for `keys` (dotted) of a params file, or all top-level keys. */
export function selectParams(
  file: string,
  params: Record<string, LockValue>,
  keys: string[] | null,
): { ok: true; value: Record<string, LockValue> } | { ok: false; error: string } {
  if (keys === null) return { ok: true, value: params };
  const out: Record<string, LockValue> = {};
  const missing: string[] = [];
  for (const key of keys) {
    let cur: LockValue | undefined = params;
    for (const part of key.split('.')) {
      cur = isLockMap(cur)
        ? cur[part]
        : Array.isArray(cur) && /^\d+$/.test(part)
          ? cur[Number(part)]
          : undefined;
    }
    if (cur === undefined) missing.push(key);
    else out[key] = cur;
  }
  if (missing.length > 0)
    return { ok: false, error: `Parameters '${missing.join(', ')}' are missing from '${file}'.` };
  return { ok: true, value: out };
}

function isLockMap(x: LockValue | undefined): x is { [key: string]: LockValue } {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof PyFloat);
}
