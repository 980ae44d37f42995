import { parse as parseYaml } from 'yaml';
import type { Value } from '../../contracts/api.js';
import type { PlotRow } from '../../contracts/live.js';

export type PlotFileResult = { ok: true; rows: PlotRow[] } | { ok: false; error: string };

/** Numbers as numbers; `NaN`, `inf` and other text stay strings, as DVCLive sends them. */
function cell(s: string): Value {
  if (s.trim() === '') return s;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}

function delimited(text: string, sep: string): PlotRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const head = lines[0]?.split(sep) ?? [];
  return lines.slice(1).map((l) => {
    const cells = l.split(sep);
    const row: PlotRow = {};
    head.forEach((h, i) => (row[h] = cell(cells[i] ?? '')));
    return row;
  });
}

function isRow(v: unknown): v is PlotRow {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Rows of a plot data file: TSV, CSV, or JSON/YAML holding a list of objects (or one list in an object). */
export function parsePlotFile(file: string, text: string): PlotFileResult {
  const lower = file.toLowerCase();
  if (lower.endsWith('.tsv')) return { ok: true, rows: delimited(text, '\t') };
  if (lower.endsWith('.csv')) return { ok: true, rows: delimited(text, ',') };
  let doc: unknown;
  try {
    doc = lower.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    return { ok: false, error: `cannot parse ${file}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const list = Array.isArray(doc)
    ? doc
    : isRow(doc)
      ? Object.values(doc).find((v) => Array.isArray(v))
      : undefined;
  if (!Array.isArray(list)) return { ok: false, error: `${file} holds no list of rows` };
  return { ok: true, rows: list.filter(isRow) };
}
