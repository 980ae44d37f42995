import { useCallback, useEffect, useRef, useState } from 'react';
import type { TableColumn, TableRow } from '../../../src/contracts/api.js';
import { request } from '../api.js';
import { PackedTablePageResponse } from '../table-page-schema.js';
import { unpackRows } from './packed.js';
import { patchRows } from './rows.js';

/** Enough rows for the first screen, so they paint while the rest streams in. */
const FIRST_PAGE = 100;
/** Later pages hold about this many cells: small enough that parsing one never stalls scrolling. */
const CELLS_PER_PAGE = 250_000;
const pageRows = (columns: number): number =>
  Math.max(200, Math.min(5000, Math.floor(CELLS_PER_PAGE / Math.max(1, columns))));

/** Least time between two progressive updates of the rows on screen. */
const PUBLISH_MS = 400;

function fetchPage(project: string, all: boolean, offset: number, limit: number) {
  return request(
    'GET',
    `/api/projects/${encodeURIComponent(project)}/table?all=${all ? '1' : '0'}&offset=${String(offset)}&limit=${String(limit)}&format=columns`,
    PackedTablePageResponse,
  );
}

export interface TableData {
  rows: TableRow[];
  columns: TableColumn[];
  total: number;
  hiddenCount: number;
  /** True until every page has arrived. */
  partial: boolean;
}

export interface TableDataState {
  data: TableData | null;
  error: unknown;
  /** Reload after a server change: keeps the current rows on screen and swaps when complete. */
  refresh: () => void;
  retry: () => void;
  /** Replace one row in place (live updates); unknown rows are added by the next refresh. */
  patchRow: (row: TableRow) => boolean;
  /** Revs updated in place in the last moment, for a brief highlight. */
  flashed: ReadonlySet<string>;
}

function mergeColumns(into: Map<string, TableColumn>, columns: readonly TableColumn[]): void {
  for (const c of columns) if (!into.has(c.id)) into.set(c.id, c);
}

/** Pages through the table: the first rows render at once, the rest stream in behind them. */
export function useTableData(project: string, all: boolean): TableDataState {
  const [data, setData] = useState<TableData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);

  const load = useCallback(
    async (progressive: boolean) => {
      const gen = ++generation.current;
      const live = () => gen === generation.current;
      setError(null);
      const cols = new Map<string, TableColumn>();
      // Same array while no page adds a column, so the grid keeps its column definitions.
      let columns: TableColumn[] = [];
      let rows: TableRow[] = [];
      let offset = 0;
      let limit = FIRST_PAGE;
      let published = 0;
      let next = fetchPage(project, all, offset, limit);
      try {
        for (;;) {
          const page = await next;
          if (!live()) return;
          offset += page.rows.length;
          const done = page.rows.length < limit || offset >= page.total;
          // Ask for the next page before unpacking this one: the server works while the browser does.
          if (!done) {
            limit = pageRows(page.columns.length);
            next = fetchPage(project, all, offset, limit);
            next.catch(() => undefined);
          }
          mergeColumns(cols, page.columns);
          if (cols.size !== columns.length) columns = [...cols.values()];
          rows = rows.concat(unpackRows(page));
          // Each publish rebuilds the grid's row model: the first page at once, then a few times a second.
          const now = performance.now();
          if (done || (progressive && (published === 0 || now - published > PUBLISH_MS))) {
            published = now;
            setData({ rows, columns, total: page.total, hiddenCount: page.hiddenCount, partial: !done });
          }
          if (done) return;
        }
      } catch (err) {
        if (live()) setError(err);
      }
    },
    [project, all],
  );

  useEffect(() => {
    void load(true);
  }, [load]);
  useEffect(() => () => void generation.current++, []);
  useEffect(() => setData(null), [project]);

  const refresh = useCallback(() => void load(false), [load]);
  const retry = useCallback(() => void load(true), [load]);

  const [flashed, setFlashed] = useState<ReadonlySet<string>>(new Set());
  const dataRef = useRef(data);
  dataRef.current = data;
  const patchRow = useCallback((row: TableRow) => {
    const current = dataRef.current;
    const rows = current ? patchRows(current.rows, row) : null;
    if (!current || !rows) return false;
    setData({ ...current, rows });
    setFlashed((f) => new Set(f).add(row.rev));
    window.setTimeout(() => setFlashed((f) => new Set([...f].filter((rev) => rev !== row.rev))), 1200);
    return true;
  }, []);
  return { data, error, refresh, retry, patchRow, flashed };
}
