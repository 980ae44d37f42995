import { isMap, isScalar, isSeq, parseDocument, stringify, type Scalar } from 'yaml';
import type { Value } from '../../contracts/api.js';
import { paramsFormat, parseParamsFile } from '../dvc/params-file.js';
import { coerceValue } from './coerce.js';
import { getAt, setAt } from './key-path.js';
import { editTomlText } from './toml-edit.js';

export interface ParamEdit {
  key: string;
  value: Value;
}

export type EditResult = { ok: true; text: string; applied: ParamEdit[] } | { ok: false; error: string };

/**
 * Checks each edit against the file's current values (the key must exist; the value keeps the
 * param's type) and returns the edited text with comments, key order and quoting kept.
 */
export function editParamsText(file: string, text: string, edits: readonly ParamEdit[]): EditResult {
  const parsed = parseParamsFile(file, text);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const applied: ParamEdit[] = [];
  for (const e of edits) {
    const current = getAt(parsed.value, e.key);
    if (current === undefined) return { ok: false, error: `${file} has no param "${e.key}"` };
    const c = coerceValue(`${file}:${e.key}`, current, e.value);
    if (!c.ok) return c;
    applied.push({ key: e.key, value: c.value });
  }
  const format = paramsFormat(file);
  switch (format) {
    case 'yaml':
      return withApplied(editYaml(file, text, applied), applied);
    case 'json':
      return withApplied(editJson(text, parsed.value, applied), applied);
    case 'toml':
      return withApplied(editTomlText(file, text, applied), applied);
    case 'python':
      return {
        ok: false,
        error: `${file}: editing Python params files is not supported; use YAML, JSON or TOML`,
      };
  }
}

function withApplied(
  r: { ok: true; text: string } | { ok: false; error: string },
  applied: ParamEdit[],
): EditResult {
  return r.ok ? { ok: true, text: r.text, applied } : r;
}

function segments(key: string): Array<string | number> {
  return key.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function renderScalar(node: Scalar, v: Value): string {
  if (typeof v === 'string' && node.type === 'QUOTE_SINGLE') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'string' && node.type === 'QUOTE_DOUBLE') return JSON.stringify(v);
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

function editYaml(
  file: string,
  text: string,
  edits: readonly ParamEdit[],
): { ok: true; text: string } | { ok: false; error: string } {
  const doc = parseDocument(text);
  const splices: Array<{ from: number; to: number; text: string }> = [];
  let structural = false;
  for (const e of edits) {
    const path = segments(e.key);
    const parentPath = path.slice(0, -1);
    const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
    const last = path[path.length - 1];
    if (last === undefined || !(isMap(parent) || isSeq(parent)))
      return { ok: false, error: `${file}: cannot set "${e.key}"` };
    const node = parent.get(last, true);
    if (isScalar(node) && node.range && (e.value === null || typeof e.value !== 'object')) {
      // Splice the value's own text so every other byte of the file stays as it was.
      splices.push({ from: node.range[0], to: node.range[1], text: renderScalar(node, e.value) });
      node.value = e.value;
    } else {
      parent.set(last, doc.createNode(e.value));
      structural = true;
    }
  }
  if (structural) return { ok: true, text: doc.toString({ flowCollectionPadding: false }) };
  let out = text;
  for (const s of splices.sort((a, b) => b.from - a.from))
    out = out.slice(0, s.from) + s.text + out.slice(s.to);
  return { ok: true, text: out };
}

function editJson(text: string, root: Value, edits: readonly ParamEdit[]): { ok: true; text: string } {
  let out = root;
  for (const e of edits) out = setAt(out, e.key, e.value);
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? (text.includes('\n') ? '  ' : '');
  return { ok: true, text: JSON.stringify(out, null, indent) + (text.endsWith('\n') ? '\n' : '') };
}
