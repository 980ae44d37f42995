import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Project, TablePage } from '../../contracts/api.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestRepo } from '../../../test/test-repo.js';

// The table follows the project: its settings (here the metrics files it shows without a
// dvc.yaml) and its fetches, and the project's last commit is the table's newest commit.
let s: TestServer;
const repo = new TestRepo();

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
  rmSync(repo.dir, { recursive: true, force: true });
});

const table = async () => {
  const r = await s.api('GET', '/api/projects/p/table?limit=100');
  expect(r.status).toBe(200);
  return TablePage.parse(r.json);
};

it('changing the metrics files setting shows them in the rows already read; a fetch adds new commits and moves the last commit', async () => {
  repo.write('params.yaml', 'lr: 0.1\n').write('score.json', '{"acc": 0.5}');
  const first = repo.commit('first');
  await s.addProject('p', repo.dir);
  expect((await table()).rows.map((r) => [r.rev, r.metrics])).toEqual([[first, {}]]);

  const patched = await s.api('PATCH', '/api/projects/p', { settings: { metricsFiles: ['score.json'] } });
  expect(patched.status, JSON.stringify(patched.json)).toBe(200);
  expect(Project.parse(patched.json).lastCommit?.rev).toBe(first);
  expect((await table()).rows.map((r) => [r.rev, r.metrics])).toEqual([
    [first, { 'score.json': { acc: 0.5 } }],
  ]);

  repo.write('score.json', '{"acc": 0.75}');
  const second = repo.commit('second');
  const reloaded = await s.api('POST', '/api/projects/p/reload');
  expect(Project.parse(reloaded.json).lastCommit).toMatchObject({ rev: second, message: 'second' });
  expect((await table()).rows.map((r) => [r.rev, r.metrics])).toEqual([
    [second, { 'score.json': { acc: 0.75 } }],
    [first, { 'score.json': { acc: 0.5 } }],
  ]);
  const listed = await s.api('GET', '/api/projects');
  const p = (listed.json as { projects: unknown[] }).projects.map((x) => Project.parse(x));
  expect(p.find((x) => x.name === 'p')?.lastCommit?.rev).toBe(second);
});
