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
}

/** Merges requests for the same file: any whole-file request wins, else the union of keys. */
export function mergeRequests(reqs: readonly FileRequest[]): FileRequest[] {
  const byKey = new Map<string, FileRequest>();
  for (const r of reqs) {
    const id = `${r.kind}:${r.file}`;
    const prev = byKey.get(id);
    if (!prev) byKey.set(id, { ...r, keys: r.keys ? [...r.keys] : null });
    else if (prev.keys === null || r.keys === null) prev.keys = null;
    else for (const k of r.keys) if (!prev.keys.includes(k)) prev.keys.push(k);
  }
  return [...byKey.values()];
}
