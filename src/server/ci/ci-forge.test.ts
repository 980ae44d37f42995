import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CiCommitResult,
  CiSettings,
  CommitCi,
  GeneratedWorkflow,
  WebhookResult,
} from '../../contracts/ci.js';
import { FakeForge } from '../../../test/fake-forge.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

// The project's source is a GitHub-style URL; git's url.insteadOf sends it to a local bare repo,
// and the configured host sends API calls to a recorded GitHub on 127.0.0.1.
const SOURCE = 'https://forge.test/octo/ml.git';
const CML = '![](https://cml.dev/watermark.png#1 "CML watermark")';

let s: TestServer;
let gh: FakeForge;
let remote: string;
let head: string;
const saved = { ...process.env };

beforeAll(async () => {
  const repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  head = repo.commit('baseline');
  remote = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-remote-')), 'ml.git');
  execFileSync('git', ['clone', '-q', '--bare', repo.dir, remote]);
  Object.assign(process.env, {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.${remote}.insteadOf`,
    GIT_CONFIG_VALUE_0: SOURCE,
  });
  const repoPath = '/repos/octo/ml';
  gh = await new FakeForge({
    [`POST ${repoPath}/pulls`]: {
      status: 201,
      json: { number: 5, html_url: 'https://forge.test/octo/ml/pull/5' },
    },
    [`GET ${repoPath}/commits/${head}/status`]: {
      json: {
        state: 'success',
        statuses: [{ context: 'cml', state: 'success', target_url: 'https://ci/9' }],
      },
    },
    [`GET ${repoPath}/commits/${head}/check-runs`]: {
      json: {
        check_runs: [{ name: 'train', status: 'in_progress', conclusion: null, html_url: 'https://ci/10' }],
      },
    },
    [`GET ${repoPath}/commits/${head}/comments`]: {
      json: [
        {
          html_url: 'https://forge.test/c/1',
          body: CML,
          user: { login: 'cml' },
          created_at: '2026-01-01T00:00:00Z',
        },
      ],
    },
  }).start();
  s = await startTestServer();
  const put = await s.api('PUT', '/api/ci/settings', {
    hosts: [{ host: 'forge.test', kind: 'github', apiUrl: gh.url }],
    webhookSecret: 'generate',
  });
  expect(put.status).toBe(200);
  const created = await s.api('POST', '/api/projects', {
    name: 'gh',
    source: SOURCE,
    credentials: { kind: 'https-token', token: 'ghp_secret' },
  });
  expect(created.status).toBe(201);
  expect((await s.api('POST', '/api/projects/gh/reload')).status).toBe(200);
});
afterAll(async () => {
  await s.close();
  await gh.close();
  process.env = saved;
});

describe('CI experiments through a forge', () => {
  it('a new branch opens a pull request with the project token', async () => {
    const r = await s.api('POST', '/api/projects/gh/ci-commits', {
      rev: 'main',
      params: [{ file: 'params.yaml', key: 'lr', value: 0.3 }],
      message: 'lr 0.3',
      description: 'Bigger steps.',
      branch: { kind: 'new', name: 'lr-03' },
    });
    expect(r.status).toBe(201);
    const res = CiCommitResult.parse(r.json);
    expect(res.forge).toBe('github');
    expect(res.pullRequest).toEqual({ state: 'opened', url: 'https://forge.test/octo/ml/pull/5', number: 5 });
    const req = gh.requests.find((x) => x.method === 'POST');
    expect(req?.headers.authorization).toBe('token ghp_secret');
    expect(req?.body).toMatchObject({ head: 'lr-03', base: 'main', title: 'lr 0.3' });
    expect(
      execFileSync('git', ['rev-parse', 'refs/heads/lr-03'], { cwd: remote, encoding: 'utf8' }).trim(),
    ).toBe(res.rev);
  });

  it('"Commit this workflow": the generated workflow goes to a new branch with a pull request', async () => {
    const w = await s.api('POST', '/api/ci/workflow', { ci: 'github', cloud: 'gcp', hdd: 100 });
    const { workflow, path: file } = GeneratedWorkflow.parse(w.json);
    const r = await s.api('POST', '/api/projects/gh/ci-commits', {
      rev: 'main',
      files: [{ path: file, content: workflow }],
      message: 'Add the CML workflow',
      branch: { kind: 'new', name: 'ci-workflow' },
      skipStudio: true,
    });
    expect(r.status).toBe(201);
    const res = CiCommitResult.parse(r.json);
    expect(res.pullRequest.state).toBe('opened');
    const show = execFileSync('git', ['show', `${res.rev}:.github/workflows/cml.yaml`], {
      cwd: remote,
      encoding: 'utf8',
    });
    expect(show).toBe(workflow);
    const bad = await s.api('POST', '/api/projects/gh/ci-commits', {
      rev: 'main',
      files: [{ path: '../x', content: '' }],
      message: 'x',
    });
    expect(bad.status).toBe(400);
  });

  it("reads the commit's CI status and CML report from the forge", async () => {
    const r = await s.api('GET', `/api/projects/gh/commits/${head}/ci`);
    expect(r.status).toBe(200);
    expect(CommitCi.parse(r.json)).toEqual({
      rev: head,
      forge: 'github',
      state: 'running',
      checks: [
        { name: 'cml', state: 'passed', url: 'https://ci/9' },
        { name: 'train', state: 'running', url: 'https://ci/10' },
      ],
      reports: [{ url: 'https://forge.test/c/1', author: 'cml', createdAt: '2026-01-01T00:00:00Z' }],
      note: null,
    });
  });

  it('webhooks: a signed GitHub delivery reloads the matching project; a bad signature is refused', async () => {
    const { webhookSecret } = CiSettings.parse((await s.api('GET', '/api/ci/settings')).json);
    expect(webhookSecret).toMatch(/^[0-9a-f]{48}$/);
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      repository: { clone_url: SOURCE, html_url: 'https://forge.test/octo/ml' },
    });
    const sig = `sha256=${createHmac('sha256', webhookSecret ?? '')
      .update(body)
      .digest('hex')}`;
    const post = (signature: string) =>
      fetch(`${s.url}/webhook/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-hub-signature-256': signature,
        },
        body,
      });
    const ok = await post(sig);
    expect(ok.status).toBe(200);
    expect(WebhookResult.parse(await ok.json())).toEqual({
      forge: 'github',
      event: 'push',
      reloaded: ['gh'],
    });
    expect((await post('sha256=00')).status).toBe(401);
    const gitlab = await fetch(`${s.url}/webhook/gitlab`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': webhookSecret ?? '',
      },
      body: JSON.stringify({ project: { git_http_url: 'https://forge.test/other/repo.git' } }),
    });
    expect(WebhookResult.parse(await gitlab.json())).toEqual({
      forge: 'gitlab',
      event: 'Push Hook',
      reloaded: [],
    });
    expect((await fetch(`${s.url}/webhook/jenkins`, { method: 'POST' })).status).toBe(400);
  });

  it('CI settings are admin-only and validated', async () => {
    expect((await s.api('GET', '/api/ci/settings', undefined, { authorization: '' })).status).toBe(401);
    expect((await s.api('PUT', '/api/ci/settings', { webhookSecret: 'short' })).status).toBe(400);
  });
});
