import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CiSummaries, ExperimentPullRequest, ProjectForge } from '../../contracts/ci.js';
import { FakeForge } from '../../../test/fake-forge.js';
import type { ExperimentRecord } from '../../store/port.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

// A GitHub-style project (git's url.insteadOf sends it to a local bare repo; the API goes to a
// recorded GitHub) and a plain-Git one; each has a finished experiment whose result commit
// the mirror holds.
const SOURCE = 'https://forge.test/octo/prs.git';
const REPO = '/repos/octo/prs';
let s: TestServer;
let gh: FakeForge;
let remote: string;
let plainRemote: string;
let result: string;
const saved = { ...process.env };

function bareWithResult(): { bare: string; result: string } {
  const repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  repo.commit('baseline');
  execFileSync('git', ['checkout', '-q', '-b', 'kiln-result'], { cwd: repo.dir });
  repo.write('metrics.json', '{"acc": 0.9}\n');
  const sha = repo.commit('results');
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: repo.dir });
  const bare = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-remote-')), 'prs.git');
  execFileSync('git', ['clone', '-q', '--bare', repo.dir, bare]);
  return { bare, result: sha };
}

async function finishedExperiment(project: string, name: string, resultCommit: string | null) {
  const now = new Date().toISOString();
  const id = crypto.randomUUID();
  const experiment: ExperimentRecord = {
    id,
    project,
    name,
    baseline: resultCommit ?? '0'.repeat(40),
    message: 'Higher learning rate\n\nmore',
    changeSetJson: JSON.stringify({ params: [], inputs: [], script: null }),
    target: 'local',
    timeoutSec: 60,
    priority: 0,
    queueOrder: 0,
    status: resultCommit ? 'succeeded' : 'failed',
    timelineJson: '[]',
    exitCode: resultCommit ? 0 : 1,
    error: null,
    resultCommit,
    sweepId: null,
    createdAt: now,
    startedAt: now,
    finishedAt: now,
  };
  await s.store.experiments.insert([
    {
      experiment,
      job: {
        id: crypto.randomUUID(),
        experimentId: id,
        state: 'done',
        agentId: null,
        leaseUntil: null,
        cancelRequested: false,
        runTokenId: null,
        createdAt: now,
      },
    },
  ]);
}

const remoteHead = (bare: string, ref: string) =>
  execFileSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: bare, encoding: 'utf8' }).trim();

beforeAll(async () => {
  const gitHub = bareWithResult();
  remote = gitHub.bare;
  result = gitHub.result;
  const plain = bareWithResult();
  plainRemote = plain.bare;
  Object.assign(process.env, {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.${remote}.insteadOf`,
    GIT_CONFIG_VALUE_0: SOURCE,
  });
  gh = await new FakeForge({
    [`POST ${REPO}/pulls`]: {
      status: 201,
      json: { number: 7, html_url: 'https://forge.test/octo/prs/pull/7' },
    },
  }).start();
  s = await startTestServer();
  await s.api('PUT', '/api/ci/settings', { hosts: [{ host: 'forge.test', kind: 'github', apiUrl: gh.url }] });
  for (const [name, source] of [
    ['prs', SOURCE],
    ['plain', plainRemote],
  ] as const) {
    const body =
      name === 'prs'
        ? { name, source, credentials: { kind: 'https-token', token: 'ghp_x' } }
        : { name, source };
    expect((await s.api('POST', '/api/projects', body)).status).toBe(201);
    expect((await s.api('POST', `/api/projects/${name}/reload`)).status).toBe(200);
  }
  await finishedExperiment('prs', 'lr-up', result);
  await finishedExperiment('prs', 'broken', null);
  await finishedExperiment('plain', 'lr-up', plain.result);
});
afterAll(async () => {
  await s.close();
  await gh.close();
  process.env = saved;
});

describe('Create pull request from a finished experiment', () => {
  it('pushes the result commit as a branch and opens a PR linking back to the experiment', async () => {
    expect(ProjectForge.parse((await s.api('GET', '/api/projects/prs/ci/forge')).json)).toEqual({
      forge: 'github',
      pullRequests: true,
      note: null,
      kilnWorkflow: null,
    });
    const r = await s.api('POST', '/api/projects/prs/experiments/lr-up/pull-request', {});
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const pr = ExperimentPullRequest.parse(r.json);
    expect(pr).toMatchObject({
      commit: result,
      branch: 'exp-lr-up',
      base: 'main',
      forge: 'github',
      pullRequest: { state: 'opened', url: 'https://forge.test/octo/prs/pull/7', number: 7 },
    });
    expect(remoteHead(remote, 'refs/heads/exp-lr-up')).toBe(result);
    const sent = gh.requests.find((q) => q.method === 'POST' && q.path === `${REPO}/pulls`);
    expect(sent?.body).toMatchObject({ head: 'exp-lr-up', base: 'main', title: 'Higher learning rate' });
    expect(JSON.stringify(sent?.body)).toContain(`${s.url}/projects/prs/experiments/lr-up`);

    // the table shows the PR on the result commit
    const sums = CiSummaries.parse((await s.api('GET', `/api/projects/prs/ci/commits?shas=${result}`)).json);
    expect(sums[result]?.pr).toEqual({ url: 'https://forge.test/octo/prs/pull/7', number: 7 });

    // asking again reuses the branch that already points at the result
    const again = await s.api('POST', '/api/projects/prs/experiments/lr-up/pull-request', {});
    expect(again.status).toBe(201);
  });

  it('never moves an existing branch, and needs a result commit', async () => {
    const main = remoteHead(remote, 'refs/heads/main');
    const taken = await s.api('POST', '/api/projects/prs/experiments/lr-up/pull-request', { branch: 'main' });
    expect(taken.status).toBe(409);
    expect(remoteHead(remote, 'refs/heads/main')).toBe(main);
    expect((await s.api('POST', '/api/projects/prs/experiments/broken/pull-request', {})).status).toBe(409);
    expect((await s.api('POST', '/api/projects/prs/experiments/nope/pull-request', {})).status).toBe(404);
    expect(
      (await s.api('POST', '/api/projects/prs/experiments/lr-up/pull-request', { branch: '-x' })).status,
    ).toBe(400);
    expect(
      (await s.api('POST', '/api/projects/prs/experiments/lr-up/pull-request', { base: 'gone' })).status,
    ).toBe(400);
  });

  it('on plain Git the branch is pushed and the answer says there is no pull request', async () => {
    const f = ProjectForge.parse((await s.api('GET', '/api/projects/plain/ci/forge')).json);
    expect(f.pullRequests).toBe(false);
    expect(f.note).toMatch(/plain Git/);
    const r = await s.api('POST', '/api/projects/plain/experiments/lr-up/pull-request', {});
    expect(r.status).toBe(201);
    const pr = ExperimentPullRequest.parse(r.json);
    expect(pr.forge).toBe('git');
    expect(pr.pullRequest.state).toBe('none');
    expect(remoteHead(plainRemote, 'refs/heads/exp-lr-up')).toBe(pr.commit);
  });
});
