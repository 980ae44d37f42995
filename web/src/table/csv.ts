import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { columnValue, rawValue } from './values.js';

export function csvField(text: string): string {
  return /[",\n\r]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvHeader = (col: TableColumn): string => `${col.kind}:${col.file}:${col.path.join('.')}`;

/** The rows and leaf columns exactly as shown, commit fields first; RFC 4180 quoting, CRLF lines. */
export function toCsv(rows: readonly TableRow[], columns: readonly TableColumn[]): string {
  const header = [
    'rev',
    'name',
    'status',
    'message',
    'author',
    'date',
    'branches',
    'tags',
    ...columns.map(csvHeader),
  ];
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) {
    const fixed = [
      row.rev,
      row.name ?? '',
      row.status ?? '',
      row.message,
      row.author,
      row.date,
      row.branches.join(' '),
      row.tags.join(' '),
    ];
    const values = columns.map((c) =>
      row.errors[c.file] !== undefined ? '#ERROR' : rawValue(columnValue(row, c)),
    );
    lines.push([...fixed, ...values].map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
