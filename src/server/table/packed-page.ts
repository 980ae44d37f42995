import type {
  PackedTablePage,
  PackedTableRow,
  TableColumn,
  TablePage,
  TableRow,
} from '../../contracts/api.js';
import { packRow } from '../../core/table/pack-rows.js';

// Commit rows live as long as the project's table and its column list is cached, so a row is packed
// once per column list; experiment rows are rebuilt per request and simply miss.
const cache = new WeakMap<TableRow, { columns: readonly TableColumn[]; packed: PackedTableRow }>();

/** The page in the compact encoding of `format=columns`. */
export function packTablePage(page: TablePage): PackedTablePage {
  const { rows, ...rest } = page;
  return {
    ...rest,
    rows: rows.map((row) => {
      const hit = cache.get(row);
      if (hit?.columns === page.columns) return hit.packed;
      const packed = packRow(row, page.columns);
      cache.set(row, { columns: page.columns, packed });
      return packed;
    }),
  };
}
