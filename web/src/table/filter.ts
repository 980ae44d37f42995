import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { columnLabel, columnValue, isNumber, rawValue } from './values.js';

export const OPERATORS = ['>', '>=', '<', '<=', '=', '!='] as const;
export type Operator = (typeof OPERATORS)[number];

export interface NumericCondition {
  columnId: string;
  op: Operator;
  value: number;
}

/** Case-insensitive substring of one column's value (or, on the commit column, of message/refs). */
export interface TextCondition {
  columnId: string;
  op: 'contains';
  text: string;
}

export type Condition = NumericCondition | TextCondition;

/** Fixed columns a header filter can search, with the text of a row it searches. */
export const TEXT_FILTERABLE: Readonly<Record<string, { label: string; text: (r: TableRow) => string }>> = {
  commit: {
    label: 'commit',
    text: (r) => [r.message, r.rev, r.name ?? '', ...r.branches, ...r.tags].join('\n'),
  },
  author: { label: 'author', text: (r) => r.author },
};

export function compareOp(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** Case-insensitive: every word must appear in the message, a branch, a tag, the author, the rev or name. */
export function matchesText(row: TableRow, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [row.message, row.author, row.rev, row.name ?? '', ...row.branches, ...row.tags]
    .join('\n')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** Rows without a number in the column never pass a numeric condition; without a value, no text one. */
export function matchesCondition(row: TableRow, col: TableColumn, cond: Condition): boolean {
  const v = columnValue(row, col);
  if (cond.op === 'contains')
    return v !== undefined && rawValue(v).toLowerCase().includes(cond.text.toLowerCase());
  return isNumber(v) && compareOp(v, cond.op, cond.value);
}

type RowTest = (r: TableRow) => boolean;

function conditionTest(c: Condition, columnsById: ReadonlyMap<string, TableColumn>): RowTest | null {
  const col = columnsById.get(c.columnId);
  if (col) return (r) => matchesCondition(r, col, c);
  const fixed = TEXT_FILTERABLE[c.columnId];
  if (fixed && c.op === 'contains') {
    const needle = c.text.toLowerCase();
    return (r) => fixed.text(r).toLowerCase().includes(needle);
  }
  return null;
}

export function filterRows(
  rows: readonly TableRow[],
  text: string,
  conditions: readonly Condition[],
  columnsById: ReadonlyMap<string, TableColumn>,
): TableRow[] {
  const active = conditions.flatMap((c) => conditionTest(c, columnsById) ?? []);
  if (!text.trim() && active.length === 0) return [...rows];
  return rows.filter((r) => matchesText(r, text) && active.every((test) => test(r)));
}

export type ParsedCondition = { ok: true; condition: NumericCondition } | { ok: false; error: string };

const CONDITION = /^(.*?)\s*(>=|<=|!=|==|=|>|<)\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$/i;

/** Does the text look like a condition at all (so the filter box treats Enter as "add chip")? */
export const looksLikeCondition = (text: string): boolean => CONDITION.test(text.trim());

/**
 * Parses "metrics eval/metrics.json accuracy > 0.8", or any unambiguous suffix of it
 * ("accuracy > 0.8", "eval/metrics.json accuracy>=0.8"); dotted keys as in "train.lr < 0.01".
 */
export function parseCondition(text: string, columns: readonly TableColumn[]): ParsedCondition {
  const m = CONDITION.exec(text.trim());
  if (!m) return { ok: false, error: 'Write a condition like "accuracy > 0.8"' };
  const [, rawName = '', rawOp = '', rawValue = ''] = m;
  const name = rawName.trim().replace(/\s+/g, ' ').toLowerCase();
  if (!name) return { ok: false, error: 'Name a column before the operator' };
  const wanted = rawOp === '==' ? '=' : rawOp;
  const op = OPERATORS.find((o) => o === wanted) ?? '=';
  const matches = columns.filter((c) => {
    const label = columnLabel(c).toLowerCase();
    return (
      label === name || label.endsWith(` ${name}`) || label.endsWith(`.${name}`) || label.endsWith(`/${name}`)
    );
  });
  const exact = matches.filter((c) => columnLabel(c).toLowerCase() === name);
  const chosen = exact.length === 1 ? exact : matches;
  if (chosen.length === 0) return { ok: false, error: `No column matches "${rawName.trim()}"` };
  if (chosen.length > 1) {
    const names = chosen.slice(0, 3).map(columnLabel).join(', ');
    return {
      ok: false,
      error: `"${rawName.trim()}" matches ${String(chosen.length)} columns (${names}…); be more specific`,
    };
  }
  const [col] = chosen as [TableColumn];
  return { ok: true, condition: { columnId: col.id, op, value: Number(rawValue) } };
}

export function conditionLabel(cond: Condition, col: TableColumn | undefined): string {
  const name = col
    ? `${col.file} ${col.path.join('.')}`
    : (TEXT_FILTERABLE[cond.columnId]?.label ?? cond.columnId);
  return cond.op === 'contains' ? `${name} ∋ "${cond.text}"` : `${name} ${cond.op} ${String(cond.value)}`;
}
