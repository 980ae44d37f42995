import { parseDocument, visit } from 'yaml';
import { toLockValue, type LockValue } from './dvc-lock.js';
import { paramsFormat, parseParamsFile } from './params-file.js';
import { PyFloat } from './yaml-emit.js';

export type ParamsLockResult = { ok: true; value: Record<string, LockValue> } | { ok: false; error: string };

/** Reads a params file keeping YAML floats such as `1.0` as floats, as DVC records them in dvc.lock. */
export function parseParamsForLock(path: string, text: string): ParamsLockResult {
  const plain = parseParamsFile(path, text);
  if (!plain.ok || paramsFormat(path) !== 'yaml') return plain;
  const doc = parseDocument(text);
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'number' && Number.isInteger(node.value) && /[.eE]/.test(node.source ?? '')) {
        node.value = new PyFloat(node.value);
      }
    },
  });
  const v = toLockValue(doc.toJS());
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof PyFloat)
    ? { ok: true, value: v }
    : plain;
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
