import { useMemo } from 'react';
import {
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingFn,
  type Table,
  type Updater,
} from '@tanstack/react-table';
import type { TableColumn, TableRow, Value } from '../../../src/contracts/api.js';
import { leafName, reconcileOrder } from './columns.js';
import { compareValues } from './sort.js';
import { columnValue } from './values.js';
import { rowKey } from './rows.js';
import type { TableView } from './use-table-view.js';

export const FIXED_COLUMNS = ['commit', 'author', 'date'] as const;
export type FixedColumn = (typeof FIXED_COLUMNS)[number];
export const isFixed = (id: string): id is FixedColumn => (FIXED_COLUMNS as readonly string[]).includes(id);

const valueSort: SortingFn<TableRow> = (a, b, id) =>
  compareValues(a.getValue<Value | undefined>(id), b.getValue<Value | undefined>(id));

/** A width that fits the key name in the header, within reason. */
export function defaultWidth(col: TableColumn): number {
  return Math.max(84, Math.min(220, leafName(col).length * 7 + 36));
}

function leafDef(col: TableColumn): ColumnDef<TableRow, Value | undefined> {
  return {
    id: col.id,
    accessorFn: (r) => {
      const v = columnValue(r, col);
      return v === null ? undefined : v;
    },
    sortingFn: valueSort,
    sortUndefined: 'last',
    size: defaultWidth(col),
    minSize: 48,
    maxSize: 800,
  };
}

const fixedDefs: ColumnDef<TableRow, Value | undefined>[] = [
  {
    id: 'commit',
    accessorFn: (r) => r.message,
    enableSorting: false,
    size: 320,
    minSize: 160,
    maxSize: 900,
    enableHiding: false,
  },
  { id: 'author', accessorFn: (r) => r.author, sortingFn: valueSort, size: 120, minSize: 60, maxSize: 400 },
  {
    id: 'date',
    accessorFn: (r) => r.date,
    sortingFn: valueSort,
    size: 142,
    minSize: 80,
    maxSize: 300,
    sortDescFirst: true,
  },
];

function apply<T>(u: Updater<T>, prev: T): T {
  return u instanceof Function ? u(prev) : u;
}

/** TanStack Table owns sorting, visibility, order and sizing; data arrives already filtered. */
export function useExperimentsTable(
  rows: TableRow[],
  columns: TableColumn[],
  view: TableView,
): Table<TableRow> {
  const defs = useMemo(() => [...fixedDefs, ...columns.map(leafDef)], [columns]);
  const order = useMemo(
    () => [...FIXED_COLUMNS, ...reconcileOrder(view.order, columns)],
    [view.order, columns],
  );
  return useReactTable({
    data: rows,
    columns: defs,
    getRowId: rowKey,
    state: { sorting: view.sorting, columnVisibility: view.hidden, columnOrder: order },
    onSortingChange: (u) => view.setSorting(apply(u, view.sorting)),
    onColumnVisibilityChange: (u) => view.setHidden(apply(u, view.hidden)),
    onColumnOrderChange: (u) => view.setOrder(apply(u, order).filter((id) => !isFixed(id))),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    enableColumnResizing: true,
    columnResizeMode: 'onChange',
    enableMultiSort: true,
    isMultiSortEvent: (e) => e instanceof MouseEvent && e.shiftKey,
  });
}
