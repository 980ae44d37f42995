import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Value } from '../../contracts/api.js';
import { jsonError } from './json-check.js';
import { parsePythonParams } from './py-params.js';
import { isValueRecord, lineOf, toValue } from './value.js';

export type ParamsFileResult = { ok: true; value: Record<string, Value> } | { ok: false; error: string };

/** The format DVC picks for a params file, by extension; anything unknown is read as YAML. */
export type ParamsFormat = 'yaml' | 'json' | 'toml' | 'python';

export function paramsFormat(path: string): ParamsFormat {
  const ext = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  if (ext === 'json') return 'json';
  if (ext === 'toml') return 'toml';
  if (ext === 'py') return 'python';
  return 'yaml';
}

/** Parses a params file (YAML, JSON, TOML or Python, by extension) into a mapping. */
export function parseParamsFile(path: string, text: string): ParamsFileResult {
  switch (paramsFormat(path)) {
    case 'json':
      return parseJsonParams(path, text);
    case 'toml':
      return parseTomlParams(path, text);
    case 'python': {
      const r = parsePythonParams(text);
      return r.ok ? r : { ok: false, error: `${path}:${r.line}: ${r.error}` };
    }
    case 'yaml':
      return parseYamlParams(path, text);
  }
}

function mapping(path: string, parsed: unknown, what: string): ParamsFileResult {
  const v = toValue(parsed);
  if (v === undefined) return { ok: false, error: `${path}: holds a value that is not plain data` };
  if (v === null) return { ok: true, value: {} };
  if (!isValueRecord(v))
    return { ok: false, error: `${path}:1: expected a mapping of params at the top level, found ${what}` };
  return { ok: true, value: v };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'nothing';
  return `a ${typeof v}`;
}

function parseYamlParams(path: string, text: string): ParamsFileResult {
  // The yaml library's own uniqueKeys check is quadratic per mapping (16 s on a 40,000-key file),
  // so duplicates are found in one linear pass instead.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0].line ?? lineOf(text, err.pos[0]);
    return { ok: false, error: `${path}:${line}: invalid YAML: ${err.message.split('\n')[0] ?? ''}` };
  }
  const dup = findDuplicateKey(doc.contents);
  if (dup)
    return {
      ok: false,
      error: `${path}:${lineOf(text, dup.offset)}: invalid YAML: map keys must be unique ("${dup.key}")`,
    };
  const js: unknown = doc.toJS();
  return mapping(path, js, describe(js));
}

function findDuplicateKey(node: unknown): { key: string; offset: number } | null {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (seen.has(key)) return { key, offset: (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? 0 };
      seen.add(key);
      const inner = findDuplicateKey(pair.value);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const inner = findDuplicateKey(item);
      if (inner) return inner;
    }
  }
  return null;
}

function parseJsonParams(path: string, text: string): ParamsFileResult {
  let js: unknown;
  try {
    js = JSON.parse(text);
  } catch (e) {
    const at = jsonError(text);
    if (at !== null)
      return {
        ok: false,
        error: `${path}:${lineOf(text, at.offset)}: invalid JSON: expected ${at.expected}`,
      };
    return { ok: false, error: `${path}:1: invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  return mapping(path, js, describe(js));
}

function parseTomlParams(path: string, text: string): ParamsFileResult {
  try {
    return mapping(path, parseToml(text), 'a table');
  } catch (e) {
    if (e instanceof TomlError) {
      return { ok: false, error: `${path}:${e.line}: invalid TOML: ${e.message.split('\n')[0] ?? ''}` };
    }
    return { ok: false, error: `${path}: invalid TOML: ${e instanceof Error ? e.message : String(e)}` };
  }
}
