import { stringify as stringifyToml } from 'smol-toml';
import type { Value } from '../../contracts/api.js';

interface Edit {
  key: string;
  value: Value;
}

function tomlValue(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // Arrays and inline tables: let the TOML library write them, then take the value part.
  const line = stringifyToml({ v }).trim();
  return line.replace(/^v\s*=\s*/, '');
}

function unquoteKey(k: string): string {
  const t = k.trim();
  return /^".*"$|^'.*'$/.test(t) ? t.slice(1, -1) : t;
}

function splitDotted(k: string): string[] {
  return k.split('.').map(unquoteKey);
}

/** Where a `key = value` line's value ends: before a trailing comment, outside quotes. */
function valueEnd(line: string, start: number): number {
  let quote: string | null = null;
  for (let i = start; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return i;
  }
  return line.length;
}

/**
 * Edits scalar values of a TOML file in its text, so comments, order and layout stay as they
 * were. Each key must sit on one `key = value` line under its `[table]` header.
 */
export function editTomlText(
  file: string,
  text: string,
  edits: readonly Edit[],
): { ok: true; text: string } | { ok: false; error: string } {
  const lines = text.split('\n');
  for (const e of edits) {
    const want = e.key.split('.');
    let table: string[] = [];
    let done = false;
    for (let i = 0; i < lines.length && !done; i++) {
      const line = lines[i] ?? '';
      const header = /^\s*\[\s*([^[\]]+?)\s*\]\s*(#.*)?$/.exec(line);
      if (header?.[1]) {
        table = splitDotted(header[1]);
        continue;
      }
      const kv = /^(\s*)([A-Za-z0-9_\-."' ]+?)(\s*=\s*)/.exec(line);
      if (!kv?.[2]) continue;
      const full = [...table, ...splitDotted(kv[2])];
      if (full.join('\u0000') !== want.join('\u0000')) continue;
      const start = kv[0].length;
      const end = valueEnd(line, start);
      const raw = line.slice(start, end);
      if (/^\s*[[{]/.test(raw) && !/[\]}]\s*$/.test(raw)) {
        return {
          ok: false,
          error: `${file}: "${e.key}" spans several lines; Kiln edits one-line TOML values only`,
        };
      }
      const trailing = /\s*$/.exec(raw)?.[0] ?? '';
      lines[i] = line.slice(0, start) + tomlValue(e.value) + trailing + line.slice(end);
      done = true;
    }
    if (!done) return { ok: false, error: `${file}: could not find the line of "${e.key}" to edit` };
  }
  return { ok: true, text: lines.join('\n') };
}
