import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackedTablePage, TablePage, type TableRow } from '../../contracts/api.js';
import { valueAt } from '../../core/table/derive-columns.js';
import { startTestServer, type TestServer } from '../test-server.js';
import { TestRepo } from './test-repo.js';

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

describe('GET /api/projects/:name/table?format=columns', () => {
  it('sends each row as values aligned to the columns, with the same cells as the rows format', async () => {
    const rows = TablePage.parse((await s.api('GET', '/api/projects/p/table')).json);
    const res = await s.api('GET', '/api/projects/p/table?format=columns&offset=1&limit=2');
    expect(res.status).toBe(200);
    const packed = PackedTablePage.parse(res.json);
    expect(packed).toMatchObject({ project: 'p', total: 3, offset: 1, columns: rows.columns });
    expect(packed.rows.map((r) => r.message)).toEqual(['metrics', 'first']);
    for (const [i, p] of packed.rows.entries()) {
      const full = rows.rows[i + 1] as TableRow;
      expect(p.errors).toEqual(full.errors);
      packed.columns.forEach((col, c) => {
        const want = valueAt(full, col);
        const isNull = p.nulls?.includes(c) ?? false;
        expect(want === undefined ? undefined : (p.values[c] ?? null)).toEqual(want);
        expect(isNull).toBe(want === null);
      });
    }
    // The broken row keeps its parser message and has no params values.
    const broken = PackedTablePage.parse(
      (await s.api('GET', '/api/projects/p/table?format=columns&limit=1')).json,
    );
    expect(broken.rows[0]?.errors['params.yaml']).toBeTruthy();
  });
  it('refuses an unknown format', async () => {
    const res = await s.api('GET', '/api/projects/p/table?format=csv');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(/format/);
  });
});
