import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { experimentRef } from '../../contracts/experiments.js';
import { TestRepo } from '../../../test/test-repo.js';
import { runWithToken } from '../../../test/security-kit.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { postgres, suiteRequires } from '../../../test/services.js';
import { freshDatabase } from '../../../test/cluster.js';
import { gitHttpUrl } from './git-http.js';

/**
 * Several servers on one PostgreSQL: a result an agent pushed to server A is acknowledged only
 * once it is in the shared store, and a fresh server B (its own, empty data dir) serves the
 * same result and checkpoint refs over git HTTP, commits included. Real servers, real git.
 */
suiteRequires(postgres);
const run = promisify(execFile);
const servers: TestServer[] = [];
let drop: () => Promise<void> = async () => undefined;
afterAll(async () => {
  for (const s of servers) await s.close();
  await drop();
}, 60_000);

it('a result pushed to one server is served by a fresh server on the same PostgreSQL', async () => {
  const db = await freshDatabase('kiln_refs');
  drop = db.drop;
  const a = await startTestServer({ databaseUrl: db.url });
  servers.push(a);
  const repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  const head = repo.commit('first');
  await a.addProject('p', repo.dir);
  const r = await runWithToken(a, 'p', 'mine', head);
  const result = experimentRef(head, 'mine');
  const checkpoint = `refs/kiln/checkpoints/${r.experiment.id}`;

  const work = mkdtempSync(path.join(tmpdir(), 'kiln-result-'));
  await run('git', ['clone', '-q', gitHttpUrl(a.url, 'p', r.token), work]);
  await run(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '-q', '--allow-empty', '-m', 'result of mine'],
    {
      cwd: work,
    },
  );
  const sha = (await run('git', ['rev-parse', 'HEAD'], { cwd: work })).stdout.trim();
  await run('git', ['push', '-q', gitHttpUrl(a.url, 'p', r.token), `HEAD:${result}`, `HEAD:${checkpoint}`], {
    cwd: work,
  });
  // Acknowledged means kept beyond A: both refs are in the shared store already.
  const kept = await a.store.gitRefs.list('p');
  expect(kept.map((k) => [k.ref, k.sha]).sort()).toEqual(
    [
      [checkpoint, sha],
      [result, sha],
    ].sort(),
  );

  // B has never seen the project: its mirror is made from the upstream plus the stored refs.
  const b = await startTestServer({ databaseUrl: db.url });
  servers.push(b);
  expect(b.home).not.toBe(a.home);
  expect((await b.api('POST', '/api/projects/p/reload')).status).toBeLessThan(300);
  const listed = (await run('git', ['ls-remote', gitHttpUrl(b.url, 'p', r.token)])).stdout;
  expect(listed).toContain(`${sha}\t${result}`);
  expect(listed).toContain(`${sha}\t${checkpoint}`);
  const fresh = mkdtempSync(path.join(tmpdir(), 'kiln-result-b-'));
  await run('git', ['init', '-q', fresh]);
  await run('git', ['fetch', '-q', gitHttpUrl(b.url, 'p', r.token), result], { cwd: fresh });
  expect((await run('git', ['log', '-1', '--format=%s', 'FETCH_HEAD'], { cwd: fresh })).stdout.trim()).toBe(
    'result of mine',
  );
}, 180_000);

it('a checkpoint pushed to one server is served by another that fetched the project before it, without waiting for its next fetch', async () => {
  const db = await freshDatabase('kiln_refs');
  const dropBefore = drop;
  drop = async () => {
    await dropBefore();
    await db.drop();
  };
  const a = await startTestServer({ databaseUrl: db.url });
  const b = await startTestServer({ databaseUrl: db.url });
  servers.push(a, b);
  const repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  const head = repo.commit('first');
  await a.addProject('p', repo.dir);
  // B has its mirror already (it showed the table), made before the checkpoint existed.
  expect((await b.api('POST', '/api/projects/p/reload')).status).toBeLessThan(300);
  const r = await runWithToken(a, 'p', 'spot', head);
  const checkpoint = `refs/kiln/checkpoints/${r.experiment.id}`;
  const work = mkdtempSync(path.join(tmpdir(), 'kiln-checkpoint-'));
  await run('git', ['clone', '-q', gitHttpUrl(a.url, 'p', r.token), work]);
  await run(
    'git',
    [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@x',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'checkpoint of spot',
    ],
    { cwd: work },
  );
  const sha = (await run('git', ['rev-parse', 'HEAD'], { cwd: work })).stdout.trim();
  await run('git', ['push', '-q', gitHttpUrl(a.url, 'p', r.token), `HEAD:${checkpoint}`], { cwd: work });
  // The machine was reclaimed: the run is queued again with its checkpoint (as requeueInterrupted does).
  await a.store.agents.putCheckpoint(r.experiment.id, sha);
  // The resumed attempt's agent talks to B, which has not fetched since: it restores the checkpoint as the agent does.
  const resumed = mkdtempSync(path.join(tmpdir(), 'kiln-checkpoint-b-'));
  await run('git', ['init', '-q', resumed]);
  await run('git', ['fetch', '-q', gitHttpUrl(b.url, 'p', r.token), checkpoint], { cwd: resumed });
  expect((await run('git', ['rev-parse', 'FETCH_HEAD'], { cwd: resumed })).stdout.trim()).toBe(sha);
}, 180_000);
