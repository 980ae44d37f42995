import type { Command } from 'commander';
import { z } from 'zod';
import { TablePage, TableRow, type TableColumn, type Value } from '../../contracts/api.js';
import { valueAt } from '../../contracts/table-values.js';
import { ApiClient } from '../client.js';
import { clientOptions } from '../options.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What JSON.parse returns is JSON already: checking every value against the recursive `Value` union
 * again costs seconds on a wide table (10,000 rows × 500 columns), so files are checked for shape only.
 */
const FileValues = z.custom<Record<string, Record<string, Value>>>(
  (v) => isObject(v) && Object.values(v).every(isObject),
  'expected an object of files, each an object of values',
);
const TableAnswer = TablePage.extend({
  rows: z.array(TableRow.extend({ params: FileValues, metrics: FileValues })),
});

function show(v: Value | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(5).replace(/\.?0+$/, '');
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/**
 * A plain-text table: commit, experiment (name and status, "-" on commit rows), message, then
 * every column, tab-separated for `column -t`.
 */
export function formatTable(rows: readonly TableRow[], cols: readonly TableColumn[]): string {
  const head = ['rev', 'experiment', 'message', ...cols.map((c) => `${c.file}:${c.path.join('.')}`)];
  const lines = [head.join('\t')];
  for (const r of rows) {
    const msg = (r.message.split('\n')[0] ?? '').slice(0, 50);
    const refs = [...r.branches, ...r.tags.map((t) => `tag:${t}`)];
    lines.push(
      [
        r.rev.slice(0, 7) + (refs.length ? ` (${refs.join(', ')})` : ''),
        r.name === undefined ? '-' : `${r.name}${r.status ? ` (${r.status})` : ''}`,
        msg,
        ...cols.map((c) => (r.errors[c.file] ? '!' : show(valueAt(r, c)))),
      ].join('\t'),
    );
  }
  return lines.join('\n');
}

export function registerExpTable(exp: Command): void {
  exp
    .command('table')
    .description("print a project's experiments table")
    .argument('<project>', 'project name')
    .option('--json', 'print the rows as JSON')
    .option('--all', 'include commits hidden by [skip studio]')
    .action(async (project: string, opts: { json?: boolean; all?: boolean }, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const page = await client.request(
        'GET',
        `/api/projects/${encodeURIComponent(project)}/table?all=${opts.all ? 1 : 0}`,
        TableAnswer,
      );
      if (opts.json) console.log(JSON.stringify(page.rows));
      else console.log(formatTable(page.rows, page.columns));
    });
}
