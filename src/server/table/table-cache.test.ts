import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TablePage } from '../../contracts/api.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TABLE_CACHE_FORMAT } from './table-cache.js';
import { TestRepo } from '../../../test/test-repo.js';

const DVC_YAML = `stages:
  train:
    cmd: python train.py
    params: [lr]
    metrics:
      - m.json:
          cache: false
`;

function commitResult(repo: TestRepo, lr: number, acc: number): string {
  repo.write('params.yaml', `lr: ${lr}\n`).write('m.json', JSON.stringify({ acc }));
  return repo.commit(`lr ${lr}`);
}

describe('the table after a restart, from the cache persisted in the data dir', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'kiln-home-'));
  const repo = new TestRepo();
  let server: TestServer | null = null;

  afterAll(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  });

  const restart = async () => {
    await server?.close();
    server = await startTestServer({ home });
    return server;
  };
  const table = async (s: TestServer) => {
    const r = await s.api('GET', '/api/projects/p/table?limit=100');
    expect(r.status).toBe(200);
    return TablePage.parse(r.json);
  };
  const cacheFiles = () =>
    readdirSync(path.join(home, 'table-cache')).map((f) => path.join(home, 'table-cache', f));

  it('serves the same table without reading history or deriving rows again', async () => {
    repo.write('dvc.yaml', DVC_YAML);
    const shas = [1, 2, 3, 4].map((i) => commitResult(repo, i / 10, i / 5));
    const s1 = await restart();
    await s1.addProject('p', repo.dir);
    const before = await table(s1);
    expect(before.rows.map((r) => r.rev)).toEqual([...shas].reverse());
    expect(s1.tables.tableStats('p')).toMatchObject({ historyReads: 1, rowsDerived: 4 });

    const s2 = await restart();
    const after = await table(s2);
    expect(after).toEqual(before);
    expect(after.rows[0]?.params['params.yaml']).toEqual({ lr: 0.4 });
    expect(after.rows[0]?.branches).toEqual(['main']);
    expect(s2.tables.tableStats('p')).toEqual({ historyReads: 0, rowsDerived: 0, rowsFromCache: 4 });

    // private to the server's user, like the rest of the data dir
    expect(statSync(path.join(home, 'table-cache')).mode & 0o777).toBe(0o700);
    for (const f of cacheFiles()) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('derives only a new commit after a restart, and persists it', async () => {
    const sha = commitResult(repo, 0.9, 0.99);
    const s = await restart();
    await s.api('POST', '/api/projects/p/reload');
    const page = await table(s);
    expect(page.rows[0]).toMatchObject({
      rev: sha,
      branches: ['main'],
      metrics: { 'm.json': { acc: 0.99 } },
    });
    expect(page.rows[1]?.branches).toEqual([]);
    expect(s.tables.tableStats('p')).toMatchObject({ historyReads: 1, rowsDerived: 1, rowsFromCache: 4 });

    const again = await restart();
    expect((await table(again)).rows).toEqual(page.rows);
    expect(again.tables.tableStats('p')).toMatchObject({ historyReads: 0, rowsDerived: 0 });
  });

  it('never serves a rewritten history from the cache', async () => {
    // The branch is moved back and given a different commit: the cached order no longer holds.
    repo.git('reset', '-q', '--hard', 'HEAD~2');
    const sha = commitResult(repo, 0.7, 0.5);
    const s = await restart();
    await s.api('POST', '/api/projects/p/reload');
    const page = await table(s);
    expect(page.total).toBe(4);
    expect(page.rows[0]).toMatchObject({ rev: sha, params: { 'params.yaml': { lr: 0.7 } } });
    expect(page.rows.map((r) => r.params['params.yaml'])).toEqual([
      { lr: 0.7 },
      { lr: 0.3 },
      { lr: 0.2 },
      { lr: 0.1 },
    ]);
    // history is read again, but the rows of the commits it kept come from the cache
    expect(s.tables.tableStats('p')).toMatchObject({ historyReads: 1, rowsDerived: 1 });
  });

  it('ignores a cache of another format version', async () => {
    await server?.close();
    server = null;
    for (const f of cacheFiles()) {
      // an older Kiln's cache, with rows it derived differently
      const text = readFileSync(f, 'utf8')
        .replace(`"format":${TABLE_CACHE_FORMAT}`, `"format":${TABLE_CACHE_FORMAT - 1}`)
        .replaceAll('"lr":0.7', '"lr":"stale"');
      writeFileSync(f, text);
    }
    const s = await restart();
    const page = await table(s);
    expect(page.rows[0]?.params['params.yaml']).toEqual({ lr: 0.7 });
    expect(s.tables.tableStats('p')).toMatchObject({ historyReads: 1, rowsDerived: 4, rowsFromCache: 0 });
    // and it is replaced by one of this format
    const again = await restart();
    expect((await table(again)).rows).toEqual(page.rows);
    expect(again.tables.tableStats('p')).toMatchObject({ historyReads: 0, rowsFromCache: 4 });
  });
});
