import { describe, expect, it } from 'vitest';
import { TablePage } from '../../src/contracts/api.js';
import { TablePageResponse } from './table-page-schema.js';
import { columns, rows } from './table/fixtures.js';

describe('TablePageResponse', () => {
  const page = { project: 'demo', total: rows.length, hiddenCount: 0, offset: 0, rows, columns };
  it('accepts what the contract accepts', () => {
    expect(TablePage.parse(page)).toEqual(TablePageResponse.parse(page));
  });
  it('still rejects malformed rows', () => {
    expect(TablePageResponse.safeParse({ ...page, rows: [{ ...rows[0], rev: 3 }] }).success).toBe(false);
    expect(
      TablePageResponse.safeParse({ ...page, rows: [{ ...rows[0], params: { 'p.yaml': 1 } }] }).success,
    ).toBe(false);
  });
  it('parses 1,000 rows × 500 values quickly', () => {
    const wide = {
      ...rows[0]!,
      params: {
        'params.yaml': Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${String(i)}`, { v: i }])),
      },
    };
    const big = { ...page, rows: Array.from({ length: 1000 }, (_, i) => ({ ...wide, rev: String(i) })) };
    const t = performance.now();
    TablePageResponse.parse(big);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
