import { useCallback, useEffect, useRef, useState } from 'react';
import type { TableColumn, TablePage, TableRow } from '../../../src/contracts/api.js';
import { api } from '../api.js';

const FIRST_PAGE = 200;
const PAGE = 2000;

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
}

function mergeColumns(into: Map<string, TableColumn>, page: TablePage): void {
  for (const c of page.columns) if (!into.has(c.id)) into.set(c.id, c);
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
      let rows: TableRow[] = [];
      let offset = 0;
      let limit = FIRST_PAGE;
      try {
        for (;;) {
          const page = await api.table(project, { all, offset, limit });
          if (!live()) return;
          mergeColumns(cols, page);
          rows = rows.concat(page.rows);
          offset += page.rows.length;
          const done = page.rows.length < limit || offset >= page.total;
          if (progressive || done) {
            setData({
              rows,
              columns: [...cols.values()],
              total: page.total,
              hiddenCount: page.hiddenCount,
              partial: !done,
            });
          }
          if (done) return;
          limit = PAGE;
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
  return { data, error, refresh, retry };
}
