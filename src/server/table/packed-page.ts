import type {
  PackedTablePage,
  PackedTableRow,
  TableColumn,
  TablePage,
  TableRow,
} from '../../contracts/api.js';
import { RowPacker, againstPrevious } from '../../core/table/pack-rows.js';

// Commit rows live as long as the project's table and its column list is cached, so a row's cells are
// packed once per column list (its labels are not: a reload moves branches in place); experiment rows
// are rebuilt per request and simply miss.
type Cells = Pick<PackedTableRow, 'values' | 'nulls'>;
const cache = new WeakMap<TableRow, { columns: readonly TableColumn[]; cells: Cells }>();

const packers = new WeakMap<readonly TableColumn[], RowPacker>();

/** The page in the compact encoding of `format=columns`. */
export function packTablePage(page: TablePage): PackedTablePage {
  const { rows, ...rest } = page;
  let packer = packers.get(page.columns);
  if (!packer) packers.set(page.columns, (packer = new RowPacker(page.columns)));
  let prev: Cells | null = null;
  return {
    ...rest,
    rows: rows.map((row) => {
      const { params: _params, metrics: _metrics, ...meta } = row;
      const hit = cache.get(row);
      let cells = hit?.columns === page.columns ? hit.cells : null;
      if (!cells) {
        cells = packer.cells(row);
        cache.set(row, { columns: page.columns, cells });
      }
      const sent = againstPrevious(prev, cells);
      prev = cells;
      return { ...meta, ...sent };
    }),
  };
}
