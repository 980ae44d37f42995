import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TablePage, type TableRow } from '../../contracts/api.js';
import { CreatedExperiments, Experiment } from '../../contracts/experiments.js';
import { PlotsResponse } from '../../contracts/live.js';
import { post, waitFetched } from '../../../test/live-test-kit.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestRepo } from '../../../test/test-repo.js';

/**
 * Experiments `dvc exp push` stored in a repository: commits no branch holds, each at
 * `refs/exps/<baseline[:2]>/<baseline[2:]>/<name>` (a checkpoint experiment: a chain of them).
 */
function pushExperiment(
  repo: TestRepo,
  baseline: string,
  name: string,
  steps: Array<Record<string, string>>,
): string {
  const wt = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-exp-')), 'wt');
  repo.git('worktree', 'add', '-q', '--detach', wt, baseline);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'DVC User',
    GIT_AUTHOR_EMAIL: 'u@example.com',
    GIT_COMMITTER_NAME: 'DVC User',
    GIT_COMMITTER_EMAIL: 'u@example.com',
  };
  for (const files of steps) {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(wt, f)), { recursive: true });
      writeFileSync(path.join(wt, f), text);
    }
    execFileSync('git', ['add', '-A'], { cwd: wt, env });
    execFileSync('git', ['commit', '-q', '-m', `dvc: commit experiment ${name}`], { cwd: wt, env });
  }
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: wt, encoding: 'utf8' }).trim();
  repo.git('worktree', 'remove', '--force', wt);
  rmSync(path.dirname(wt), { recursive: true, force: true });
  repo.git('update-ref', `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/${name}`, sha);
  return sha;
}

const DVC_YAML = `stages:
  train:
    cmd: python train.py
    params: [lr]
    metrics:
      - eval/m.json:
          cache: false
    plots:
      - dvclive/plots/metrics:
          x: step
`;

const result = (lr: number, acc: number) => ({
  'params.yaml': `lr: ${lr}\nseed: 1\n`,
  'eval/m.json': JSON.stringify({ acc }),
  'dvclive/plots/metrics/acc.tsv': `step\tacc\n0\t${acc / 2}\n1\t${acc}\n`,
});

let s: TestServer;
let repo: TestRepo;
let baseA = '';
let baseB = '';
let detached = '';
const shas: Record<string, string> = {};

async function table(): Promise<TableRow[]> {
  return TablePage.parse((await s.api('GET', '/api/projects/p/table')).json).rows;
}

beforeAll(async () => {
  s = await startTestServer();
  repo = new TestRepo();
  repo.write('dvc.yaml', DVC_YAML);
  for (const [f, t] of Object.entries(result(0.1, 0.5))) repo.write(f, t);
  baseA = repo.commit('baseline A');
  repo.write('params.yaml', 'lr: 0.1\nseed: 2\n');
  baseB = repo.commit('baseline B');
  shas['a1'] = pushExperiment(repo, baseA, 'a1', [result(0.2, 0.6)]);
  shas['a2'] = pushExperiment(repo, baseA, 'a2', [result(0.3, 0.7)]);
  shas['b1'] = pushExperiment(repo, baseB, 'b1', [result(0.4, 0.8)]);
  shas['ckpt'] = pushExperiment(repo, baseB, 'ckpt', [result(0.5, 0.1), result(0.5, 0.2), result(0.5, 0.3)]);
  // a baseline no branch or tag holds any more
  repo.git('checkout', '-q', '-b', 'gone');
  repo.write('params.yaml', 'lr: 9\n');
  detached = repo.commit('deleted branch');
  repo.git('checkout', '-q', 'main');
  repo.git('branch', '-q', '-D', 'gone');
  shas['orphan'] = pushExperiment(repo, detached, 'orphan', [result(0.9, 0.9)]);
  await s.addProject('p', repo.dir);
  await waitFetched(s, 'p');
});
afterAll(async () => {
  await s?.close();
});

describe('experiments pushed with dvc exp push', () => {
  it('are rows nested under their baselines, "pushed", with params and metrics from their commits', async () => {
    const rows = await table();
    const shape = rows.map((r) => (r.name === undefined ? `commit ${r.message}` : `exp ${r.name}`));
    const a = shape.indexOf('commit baseline A');
    const b = shape.indexOf('commit baseline B');
    expect(shape.slice(b + 1, b + 3).sort()).toEqual(['exp b1', 'exp ckpt']);
    expect(shape.slice(a + 1, a + 3).sort()).toEqual(['exp a1', 'exp a2']);
    // the checkpoint chain is one experiment, its intermediate commits are no rows
    expect(rows.filter((r) => r.message.startsWith('dvc: commit experiment ckpt'))).toHaveLength(1);
    const byName = new Map(rows.filter((r) => r.name !== undefined).map((r) => [r.name, r]));
    expect(byName.get('a1')).toMatchObject({
      rev: shas['a1'],
      baseline: baseA,
      status: 'pushed',
      params: { 'params.yaml': { lr: 0.2, seed: 1 } },
      metrics: { 'eval/m.json': { acc: 0.6 } },
      errors: {},
    });
    expect(byName.get('ckpt')).toMatchObject({
      rev: shas['ckpt'],
      baseline: baseB,
      status: 'pushed',
      metrics: { 'eval/m.json': { acc: 0.3 } },
    });
    expect(byName.get('b1')?.params).toEqual({ 'params.yaml': { lr: 0.4, seed: 1 } });
  });

  it('an experiment whose baseline is on no branch or tag is listed (detached), not dropped', async () => {
    const rows = await table();
    const orphan = rows.find((r) => r.name === 'orphan');
    expect(orphan).toMatchObject({
      baseline: detached,
      status: 'pushed',
      metrics: { 'eval/m.json': { acc: 0.9 } },
    });
    expect(rows.some((r) => r.rev === detached && r.name === undefined)).toBe(false);
  });

  it("its plots come from its commit, as a finished run's do", async () => {
    const got = PlotsResponse.parse((await s.api('GET', `/api/projects/p/plots?rev=${shas['a2']}`)).json);
    const series = got.sources[0]?.series.find((x) => x.path.endsWith('acc.tsv'));
    expect(series?.rows.map((r) => r['acc'])).toEqual([0.35, 0.7]);
  });

  it("dvc exp push's webhook shows a new experiment at once, and a removed one goes", async () => {
    const sha = pushExperiment(repo, baseA, 'late', [result(0.6, 0.65)]);
    const ref = `refs/exps/${baseA.slice(0, 2)}/${baseA.slice(2)}/late`;
    const started = Date.now();
    expect((await post(s, '/webhook/dvc', { repo_url: repo.dir, refs: { pushed: [ref] } })).status).toBe(200);
    let late: TableRow | undefined;
    while (!late && Date.now() - started < 10_000) {
      late = (await table()).find((r) => r.name === 'late');
      if (!late) await new Promise((r) => setTimeout(r, 50));
    }
    expect(late).toMatchObject({ rev: sha, status: 'pushed', baseline: baseA });
    repo.git('update-ref', '-d', ref);
    expect((await post(s, '/webhook/dvc', { repo_url: repo.dir, refs: { removed: [ref] } })).status).toBe(
      200,
    );
    let gone = false;
    while (!gone && Date.now() - started < 20_000) {
      gone = !(await table()).some((r) => r.name === 'late');
      if (!gone) await new Promise((r) => setTimeout(r, 50));
    }
    expect(gone).toBe(true);
  });

  it("has a finished run's actions: its page, a branch at its commit, run again with its params", async () => {
    const got = await s.api('GET', '/api/projects/p/experiments/a1');
    expect(got.status, JSON.stringify(got.json)).toBe(200);
    const exp = Experiment.parse(got.json);
    expect(exp).toMatchObject({ status: 'pushed', baseline: baseA, resultCommit: shas['a1'] });
    expect(exp.changeSet.params).toEqual([{ file: 'params.yaml', key: 'lr', value: 0.2 }]);
    const branch = await s.api('POST', '/api/projects/p/experiments/a1/branch', { branch: 'from-a1' });
    expect(branch.status, JSON.stringify(branch.json)).toBe(200);
    expect(repo.git('rev-parse', 'refs/heads/from-a1')).toBe(shas['a1']);
    const again = await s.api('POST', '/api/projects/p/experiments/a1/run-again', { name: 'a1-again' });
    expect(again.status, JSON.stringify(again.json)).toBe(201);
    const created = CreatedExperiments.parse(again.json).experiments[0];
    expect(created).toMatchObject({ baseline: baseA, name: 'a1-again' });
    expect(created?.changeSet.params).toEqual([{ file: 'params.yaml', key: 'lr', value: 0.2 }]);
    await s.api('POST', '/api/projects/p/experiments/a1-again/cancel');
  });

  it('hiddenCount counts hidden commits only, whatever experiments there are', async () => {
    const page = TablePage.parse((await s.api('GET', '/api/projects/p/table')).json);
    expect(page.hiddenCount).toBe(0);
  });
});
