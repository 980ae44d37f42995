import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackedTablePage, TablePage, type TableRow } from '../../contracts/api.js';
import { CreatedExperiments } from '../../contracts/experiments.js';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;
const exps = '/api/projects/demo/experiments';

beforeAll(async () => {
  h = await startRunServer({ 'compute.local.concurrency': '3' });
});
afterAll(async () => h?.close());

const byName = (rows: readonly Pick<TableRow, 'name' | 'sweep' | 'rev'>[], names: readonly string[]) =>
  names.map((n) => rows.find((r) => r.name === n));

describe('sweep experiments in the table', () => {
  it('carry their sweep id in both encodings, before and after they move to their result commit', async () => {
    const r = await h.api('POST', exps, {
      rev: 'main',
      name: 'sw',
      set: ['train.lr=choice(0.1,0.2)'],
      script: 'true\n',
    });
    expect(r.status).toBe(201);
    const created = CreatedExperiments.parse(r.json);
    const sweep = created.sweepId;
    expect(sweep).not.toBeNull();
    const names = created.experiments.map((e) => e.name);
    expect(names).toHaveLength(2);
    const single = await h.api('POST', exps, { rev: 'main', name: 'alone', script: 'true\n' });
    expect(single.status).toBe(201);

    const queued = TablePage.parse((await h.api('GET', '/api/projects/demo/table')).json);
    expect(byName(queued.rows, names).map((x) => x?.sweep)).toEqual([sweep, sweep]);
    expect(queued.rows.find((x) => x.name === 'alone')?.sweep).toBeUndefined();
    // Commit rows never carry one.
    expect(queued.rows.filter((x) => x.baseline === undefined && x.sweep !== undefined)).toEqual([]);

    for (const n of [...names, 'alone']) expect((await h.waitFor(n)).status).toBe('succeeded');
    const done = TablePage.parse((await h.api('GET', '/api/projects/demo/table')).json);
    const rows = byName(done.rows, names);
    expect(rows.map((x) => x?.rev)).toEqual(
      await Promise.all(names.map(async (n) => (await h.waitFor(n)).resultCommit)),
    );
    expect(rows.map((x) => x?.sweep)).toEqual([sweep, sweep]);

    const packed = PackedTablePage.parse(
      (await h.api('GET', '/api/projects/demo/table?format=columns')).json,
    );
    expect(byName(packed.rows, names).map((x) => x?.sweep)).toEqual([sweep, sweep]);
    expect(packed.rows.find((x) => x.name === 'alone')?.sweep).toBeUndefined();
  }, 240_000);
});
