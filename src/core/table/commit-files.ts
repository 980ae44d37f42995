import type { Value } from '../../contracts/api.js';

/** `[skip studio]` anywhere in the message hides a commit from the table. */
export function isHiddenCommit(message: string): boolean {
  return message.toLowerCase().includes('[skip studio]');
}

function isRecord(v: Value | undefined): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Keeps only the tracked keys of a params file, as DVC shows them: `null` keys means the whole
 * file. A dotted key selects a nested value and keeps its nesting.
 */
export function pickKeys(
  value: Record<string, Value>,
  keys: readonly string[] | null,
): Record<string, Value> {
  if (keys === null) return value;
  const out: Record<string, Value> = {};
  for (const key of keys) {
    const parts = key.split('.');
    let src: Value | undefined = value;
    for (const p of parts) src = isRecord(src) ? src[p] : undefined;
    if (src === undefined) continue;
    let dst = out;
    for (const p of parts.slice(0, -1)) {
      const next = dst[p];
      if (isRecord(next)) dst = next;
      else {
        const created: Record<string, Value> = {};
        dst[p] = created;
        dst = created;
      }
    }
    dst[parts[parts.length - 1] ?? key] = src;
  }
  return out;
}

export interface FileRequest {
  file: string;
  kind: 'params' | 'metrics';
  keys: string[] | null;
  /** a dvc.yaml lists it, so its absence is an error (as in `dvc params show`), not just nothing */
  listed?: boolean;
}

/** Merges requests for the same file: any whole-file request wins, else the union of keys (DVC's `_merge_params`). */
export function mergeRequests(reqs: readonly FileRequest[]): FileRequest[] {
  const byKey = new Map<string, FileRequest>();
  for (const r of reqs) {
    const id = `${r.kind}:${r.file}`;
    const prev = byKey.get(id);
    if (!prev) byKey.set(id, { ...r, keys: r.keys ? [...r.keys] : null });
    else {
      if (prev.keys === null || r.keys === null) prev.keys = null;
      else for (const k of r.keys) if (!prev.keys.includes(k)) prev.keys.push(k);
      if (r.listed) prev.listed = true;
    }
  }
  return [...byKey.values()];
}

/**
 * What `dvc metrics show` keeps of a metrics file (its `_extract_metrics`): numbers, strings and
 * booleans, in nested mappings; lists, nulls and mappings left empty are dropped.
 */
export function extractMetrics(value: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (isRecord(v)) {
      const inner = extractMetrics(v);
      if (Object.keys(inner).length > 0) out[k] = inner;
    }
  }
  return out;
}

/** `{ "a.b": 1 }` → `{ a: { b: 1 } }`: tracked vars shown nested, like the params files' own keys. */
export function nestDotted(flat: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [key, v] of Object.entries(flat)) {
    const parts = key.split('.');
    let dst = out;
    for (const p of parts.slice(0, -1)) {
      const next = dst[p];
      if (isRecord(next)) dst = next;
      else dst = dst[p] = {};
    }
    dst[parts[parts.length - 1] ?? key] = v;
  }
  return out;
}
