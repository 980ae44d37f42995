import { describe, expect, it } from 'vitest';
import type { TableRow } from '../../../src/contracts/api.js';
import { againstPrevious, packRow } from '../../../src/core/table/pack-rows.js';
import { deriveColumns } from '../../../src/core/table/derive-columns.js';
import { valueAt } from '../../../src/contracts/table-values.js';
import { columns, lr, rows } from './fixtures.js';
import { unpackRows } from './packed.js';
import { columnValue } from './values.js';

const roundTrip = (rs: TableRow[]) => unpackRows({ columns, rows: rs.map((r) => packRow(r, columns)) });

describe('packed table rows', () => {
  it('read back as the rows the server had', () => {
    const back = roundTrip(rows);
    expect(back.map((r) => ({ ...r }))).toEqual(rows);
    expect(JSON.parse(JSON.stringify(back))).toEqual(rows);
  });
  it('give every cell without rebuilding the files', () => {
    const back = roundTrip(rows);
    for (const [i, r] of rows.entries())
      for (const c of columns) expect(columnValue(back[i]!, c)).toEqual(columnValue(r, c));
  });
  it('tell a real null from a missing key and drop trailing gaps', () => {
    const r: TableRow = {
      ...rows[0]!,
      params: { 'params.yaml': { seed: null, train: { lr: 1 } } },
      metrics: {},
    };
    const packed = packRow(r, columns);
    expect(packed.values).toEqual([null, 1]);
    expect(packed.nulls).toEqual([0]);
    const [back] = unpackRows({ columns, rows: [packed] });
    expect(back?.params).toEqual(r.params);
    expect(columnValue(back!, lr)).toBe(1);
    expect(columnValue(back!, columns[0]!)).toBeNull();
    expect(columnValue(back!, columns[2]!)).toBeUndefined();
  });
  it('is much smaller than rows with files for a wide table', () => {
    const wide = Array.from({ length: 200 }, (_, i) => ({ ...rows[0]!, rev: String(i) }));
    const packed = JSON.stringify(wide.map((r) => packRow(r, columns)));
    expect(packed.length).toBeLessThan(JSON.stringify(wide).length);
  });
  it('packs every cell valueAt reads, whatever the key order or shape of each row', () => {
    const mixed: TableRow[] = [
      { ...rows[0]!, params: { 'p.yaml': { a: 1, b: { c: [1, 2], d: {} } } }, metrics: {} },
      {
        ...rows[1]!,
        params: { 'p.yaml': { b: { d: 'x', c: null }, a: { e: true } } },
        metrics: { 'm.json': { z: 0 } },
      },
    ];
    const cols = deriveColumns(mixed);
    for (const r of mixed) {
      const p = packRow(r, cols);
      cols.forEach((c, i) => {
        const want = valueAt(r, c);
        expect(want === undefined ? null : want).toEqual(p.values[i] ?? null);
        expect(p.nulls?.includes(i) ?? false).toBe(want === null);
      });
    }
  });
  it('sends a row as its differences from the row above, and reads it back whole', () => {
    const wide = (i: number, lrValue: number, tail: Record<string, number | null>): TableRow => ({
      ...rows[0]!,
      rev: String(i),
      params: { 'p.yaml': { a: 1, b: 2, c: 3, d: 4, e: lrValue, f: 6, g: 7, h: 8, i: 9, ...tail } },
      metrics: { 'm.json': { acc: i / 10 } },
    });
    const history = [
      wide(0, 5, { z: 1 }),
      wide(1, 5, { z: 1 }),
      wide(2, 50, { z: null }),
      wide(3, 50, {}),
      wide(4, 50, { z: null }),
    ];
    const cols = deriveColumns(history);
    const cells = history.map((r) => packRow(r, cols));
    const sent = cells.map((c, i) => ({ ...c, ...againstPrevious(i ? cells[i - 1]! : null, c) }));
    expect(sent[0]!.same).toBeUndefined();
    expect(sent[1]!.same).toEqual([0, 10]);
    expect(sent[1]!.values).toEqual([0.1]);
    const size = (rs: Array<{ values: unknown; same?: unknown }>) =>
      JSON.stringify(rs.map((r) => [r.values, r.same])).length;
    expect(size(sent)).toBeLessThan(size(cells) * 0.6);
    const back = unpackRows({ columns: cols, rows: sent });
    expect(back.map((r) => ({ ...r }))).toEqual(history);
    for (const [i, r] of history.entries())
      for (const c of cols) expect(columnValue(back[i]!, c)).toEqual(valueAt(r, c));
  });
});
