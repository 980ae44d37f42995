import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UploadedFile } from '../../contracts/experiments.js';
import type { KyselyStore } from '../../store/kysely-store.js';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  h = await startRunServer();
});
afterAll(async () => h?.close());

/** Every row of every table (but the audit trail, which records the deletion) as text. */
async function rowsMentioning(needles: readonly string[]): Promise<string[]> {
  const db = (h.server.store as KyselyStore).db;
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db);
  const found: string[] = [];
  for (const { name } of tables.rows) {
    if (/^(audit|kysely_)/.test(name)) continue;
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    for (const r of rows.rows) {
      const text = JSON.stringify(r);
      if (needles.some((n) => text.includes(n))) found.push(`${name}: ${text.slice(0, 160)}`);
    }
  }
  return found;
}

it('deleting a project removes its logs, uploads and every database row that names it or its runs', async () => {
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'to-forget',
    script: 'echo "a line for the log"\n',
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  const done = await h.waitFor('to-forget');
  expect(done.status).toBe('succeeded');

  const up = await fetch(`${h.server.url}/api/projects/demo/uploads?path=data/dataset.csv`, {
    method: 'POST',
    headers: { authorization: `token ${h.token}`, 'content-type': 'application/octet-stream' },
    body: 'a,b\n1,2\n',
  });
  expect(up.status).toBe(201);
  const { uploadId } = UploadedFile.parse(await up.json());
  expect((await h.api('PUT', '/api/projects/demo/ci/webhook', { secret: 'generate' })).status).toBe(200);
  // A remote run's placement and checkpoint are rows of run_placements / run_checkpoints now,
  // deleted with their experiment (store-agents.test.ts).

  const logs = path.join(h.home, 'logs', 'demo');
  const uploads = path.join(h.home, 'uploads', 'demo');
  // Run logs live in the store (run_logs): their rows are among those checked below.
  void logs;
  expect(existsSync(path.join(uploads, uploadId))).toBe(true);
  expect(await rowsMentioning([done.id])).not.toEqual([]);

  const del = await h.api('DELETE', '/api/projects/demo');
  expect(del.status, JSON.stringify(del.json)).toBeLessThan(300);

  expect(existsSync(logs)).toBe(false);
  expect(existsSync(uploads)).toBe(false);
  const left = await rowsMentioning([done.id, 'ci.webhookSecret:demo']);
  console.log(
    `[security] rows and files left after deleting a project: ${left.length + Number(existsSync(logs)) + Number(existsSync(uploads))}`,
  );
  expect(left).toEqual([]);

  // A project made again under the same name starts empty: no old log, no old upload to refer to.
  const again = await h.api('POST', '/api/projects', {
    name: 'demo',
    source: path.join(h.home, 'demo-repo'),
  });
  expect(again.status, JSON.stringify(again.json)).toBe(201);
  expect((await h.api('GET', `/api/projects/demo/experiments/to-forget`)).status).toBe(404);
  expect((await h.api('GET', '/api/projects/demo/ci/webhook')).json).toMatchObject({ secret: null });
}, 240_000);
