import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackedTablePage, TablePage, type TableRow, type Value } from '../../contracts/api.js';
import { valueAt } from '../../contracts/table-values.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestRepo } from '../../../test/test-repo.js';

let s: TestServer;
const repo = new TestRepo();

beforeAll(async () => {
  repo.write('params.yaml', 'train:\n  lr: 0.1\n  epochs: 3\nseed: null\n').commit('first');
  repo.write('dvclive/metrics.json', '{"acc": 0.5, "loss": {"train": 1.5}}').commit('metrics');
  repo.write('params.yaml', 'train: [broken\n').commit('broken params');
  s = await startTestServer();
  expect((await s.api('POST', '/api/projects', { name: 'p', source: repo.dir })).status).toBe(201);
  for (let i = 0; i < 200; i++) {
    const state = ((await s.api('GET', '/api/projects/p')).json as { fetch: { state: string } }).fetch.state;
    if (state === 'ok') break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);
afterAll(async () => {
  await s.close();
});

/** Each row's cells by column index, with `same` ranges copied from the row before. */
function denseCells(rows: PackedTablePage['rows']): Value[][] {
  const out: Value[][] = [];
  for (const r of rows) {
    const prev = out[out.length - 1] ?? [];
    const same = r.same ?? [];
    const inSame = (i: number) => same.some((x, k) => k % 2 === 0 && i >= x && i < (same[k + 1] ?? 0));
    const cells: Value[] = [];
    let k = 0;
    const n = Math.max(prev.length, r.values.length + (same[same.length - 1] ?? 0));
    for (let i = 0; i < n; i++) cells.push(inSame(i) ? (prev[i] ?? null) : (r.values[k++] ?? null));
    out.push(cells);
  }
  return out;
}

describe('GET /api/projects/:name/table?format=columns', () => {
  it('sends each row as values aligned to the columns, with the same cells as the rows format', async () => {
    const rows = TablePage.parse((await s.api('GET', '/api/projects/p/table')).json);
    const res = await s.api('GET', '/api/projects/p/table?format=columns&offset=1&limit=2');
    expect(res.status).toBe(200);
    const packed = PackedTablePage.parse(res.json);
    expect(packed).toMatchObject({ project: 'p', total: 3, offset: 1, columns: rows.columns });
    expect(packed.rows.map((r) => r.message)).toEqual(['metrics', 'first']);
    const dense = denseCells(packed.rows);
    for (const [i, p] of packed.rows.entries()) {
      const full = rows.rows[i + 1] as TableRow;
      expect(p.errors).toEqual(full.errors);
      packed.columns.forEach((col, c) => {
        const want = valueAt(full, col);
        const isNull = p.nulls?.includes(c) ?? false;
        expect(want === undefined ? undefined : (dense[i]?.[c] ?? null)).toEqual(want);
        expect(isNull).toBe(want === null);
      });
    }
    // The broken row keeps its parser message and has no params values.
    const broken = PackedTablePage.parse(
      (await s.api('GET', '/api/projects/p/table?format=columns&limit=1')).json,
    );
    expect(broken.rows[0]?.errors['params.yaml']).toBeTruthy();
  });
  it('sends only what differs from the row above when neighbours share their params', async () => {
    const long = new TestRepo();
    const params = Array.from({ length: 20 }, (_, i) => `k${String(i)}: ${String(i)}`).join('\n');
    for (let i = 0; i < 5; i++)
      long
        .write('params.yaml', params)
        .write('dvclive/metrics.json', `{"acc": ${String(i / 10)}}`)
        .commit(`c${String(i)}`);
    expect((await s.api('POST', '/api/projects', { name: 'long', source: long.dir })).status).toBe(201);
    for (let i = 0; i < 200; i++) {
      const st = ((await s.api('GET', '/api/projects/long')).json as { fetch: { state: string } }).fetch
        .state;
      if (st === 'ok') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const full = TablePage.parse((await s.api('GET', '/api/projects/long/table')).json);
    const packed = PackedTablePage.parse(
      (await s.api('GET', '/api/projects/long/table?format=columns')).json,
    );
    expect(packed.rows[0]?.same).toBeUndefined();
    expect(packed.rows[1]?.same).toBeDefined();
    expect(packed.rows[1]?.values.length).toBeLessThan(5);
    const dense = denseCells(packed.rows);
    full.rows.forEach((row, i) =>
      packed.columns.forEach((col, c) => expect(dense[i]?.[c] ?? null).toEqual(valueAt(row, col) ?? null)),
    );
  });
  it('refuses an unknown format', async () => {
    const res = await s.api('GET', '/api/projects/p/table?format=csv');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(/format/);
  });
});
