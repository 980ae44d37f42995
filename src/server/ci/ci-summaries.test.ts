import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CiCommitResult, CiSettings, CiSummaries } from '../../contracts/ci.js';
import { FakeForge, type Answer } from '../../../test/fake-forge.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

// A GitHub-style source that git sends to a local bare repo, and a recorded GitHub API whose
// answers the tests change to play CI progressing.
const SOURCE = 'https://forge.test/octo/sum.git';
const REPO = '/repos/octo/sum';

let s: TestServer;
let gh: FakeForge;
let head: string;
const routes: Record<string, Answer> = {};
const saved = { ...process.env };

function ciAnswers(sha: string, state: 'in_progress' | 'completed', conclusion: string | null): void {
  routes[`GET ${REPO}/commits/${sha}/status`] = { json: { state: 'pending', statuses: [] } };
  routes[`GET ${REPO}/commits/${sha}/check-runs`] = {
    json: {
      check_runs: [{ name: 'train', status: state, conclusion, html_url: `https://ci/${sha.slice(0, 4)}` }],
    },
  };
  routes[`GET ${REPO}/commits/${sha}/comments`] = { json: [] };
}

const forgeReads = (sha: string) => gh.requests.filter((r) => r.path.includes(`/commits/${sha}/`)).length;

async function summaries(project: string, shas: string[]): Promise<CiSummaries> {
  const r = await s.api('GET', `/api/projects/${project}/ci/commits?shas=${shas.join(',')}`);
  expect(r.status).toBe(200);
  return CiSummaries.parse(r.json);
}

beforeAll(async () => {
  const repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  head = repo.commit('baseline');
  const remote = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-remote-')), 'sum.git');
  execFileSync('git', ['clone', '-q', '--bare', repo.dir, remote]);
  Object.assign(process.env, {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.${remote}.insteadOf`,
    GIT_CONFIG_VALUE_0: SOURCE,
  });
  routes[`POST ${REPO}/pulls`] = {
    status: 201,
    json: { number: 12, html_url: 'https://forge.test/octo/sum/pull/12' },
  };
  ciAnswers(head, 'in_progress', null);
  gh = await new FakeForge(routes).start();
  s = await startTestServer();
  await s.api('PUT', '/api/ci/settings', {
    hosts: [{ host: 'forge.test', kind: 'github', apiUrl: gh.url }],
    webhookSecret: 'generate',
  });
  const created = await s.api('POST', '/api/projects', {
    name: 'sum',
    source: SOURCE,
    credentials: { kind: 'https-token', token: 'ghp_secret' },
  });
  expect(created.status).toBe(201);
  expect((await s.api('POST', '/api/projects/sum/reload')).status).toBe(200);
  const plain = new TestRepo();
  plain.write('params.yaml', 'lr: 0.1\n');
  plain.commit('plain');
  expect((await s.api('POST', '/api/projects', { name: 'plain', source: plain.dir })).status).toBe(201);
});
afterAll(async () => {
  await s.close();
  await gh.close();
  process.env = saved;
});

describe('GET /api/projects/:name/ci/commits', () => {
  it('answers from the cache at once, reads the forge once in the background, then serves the cache', async () => {
    const other = 'f'.repeat(40);
    ciAnswers(other, 'completed', 'success');
    const first = await summaries('sum', [head, other]);
    expect(first[head]).toEqual({ state: 'none', url: null, pr: null, cml: null });
    await vi.waitFor(async () => expect((await summaries('sum', [head]))[head]?.state).toBe('running'), {
      timeout: 10_000,
    });
    const cached = await summaries('sum', [head, other]);
    expect(cached).toEqual({
      [head]: { state: 'running', url: `https://ci/${head.slice(0, 4)}`, pr: null, cml: null },
      [other]: { state: 'passed', url: 'https://ci/ffff', pr: null, cml: null },
    });
    const reads = forgeReads(head);
    expect(reads).toBe(3);
    for (let i = 0; i < 5; i++) await summaries('sum', [head, other]);
    expect(forgeReads(head)).toBe(reads);
  });

  it('validates the shas and the project', async () => {
    const bad = async (q: string, project = 'sum') =>
      (await s.api('GET', `/api/projects/${project}/ci/commits?shas=${q}`)).status;
    expect(await bad('')).toBe(400);
    expect(await bad('abc')).toBe(400);
    expect(await bad('$(rm -rf /)')).toBe(400);
    expect(await bad(Array.from({ length: 201 }, (_, i) => i.toString(16).padStart(40, '0')).join(','))).toBe(
      400,
    );
    expect(await bad(head, 'nope')).toBe(404);
    const ok = Array.from({ length: 200 }, (_, i) => (i + 1000).toString(16).padStart(40, '0'));
    expect(Object.keys(await summaries('plain', ok))).toHaveLength(200);
    expect(
      (await s.api('GET', `/api/projects/sum/ci/commits?shas=${head}`, undefined, { authorization: '' }))
        .status,
    ).toBe(401);
  });

  it('a pushed CI commit shows its pull request at once', async () => {
    const r = await s.api('POST', '/api/projects/sum/ci-commits', {
      rev: 'main',
      params: [{ file: 'params.yaml', key: 'lr', value: 0.2 }],
      message: 'lr 0.2',
      branch: { kind: 'new', name: 'lr-02' },
    });
    expect(r.status).toBe(201);
    const { rev } = CiCommitResult.parse(r.json);
    ciAnswers(rev, 'in_progress', null);
    routes[`GET ${REPO}/issues/12/comments`] = {
      json: [
        {
          html_url: 'https://forge.test/octo/sum/pull/12#issuecomment-3',
          body: '![](https://cml.dev/watermark.png "CML watermark")',
          user: { login: 'cml' },
          created_at: '2026-01-03T00:00:00Z',
        },
      ],
    };
    const got = await summaries('sum', [rev]);
    expect(got[rev]?.pr).toEqual({ url: 'https://forge.test/octo/sum/pull/12', number: 12 });
    // the report `cml comment create --pr` left on Kiln's pull request
    await vi.waitFor(
      async () =>
        expect((await summaries('sum', [rev]))[rev]?.cml).toEqual({
          url: 'https://forge.test/octo/sum/pull/12#issuecomment-3',
        }),
      { timeout: 10_000 },
    );
  });

  it('a signed status webhook refreshes the commit and tells browsers over SSE', async () => {
    const { webhookSecret = '' } = CiSettings.parse((await s.api('GET', '/api/ci/settings')).json);
    const events = await fetch(`${s.url}/api/events`, { headers: { authorization: `token ${s.token}` } });
    const reader = events.body!.getReader();
    let seen = '';
    const sawCi = (async () => {
      while (!new RegExp(`"ci.status"[^\n]*${head}`).test(seen)) {
        const { value, done } = await reader.read();
        if (done) return;
        seen += Buffer.from(value).toString('utf8');
      }
    })();

    ciAnswers(head, 'completed', 'failure');
    const body = JSON.stringify({
      sha: head,
      state: 'failure',
      repository: { clone_url: SOURCE },
    });
    const res = await fetch(`${s.url}/webhook/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'status',
        'x-hub-signature-256': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}`,
      },
      body,
    });
    expect(res.status).toBe(200);
    await vi.waitFor(async () => expect((await summaries('sum', [head]))[head]?.state).toBe('failed'), {
      timeout: 10_000,
    });
    await Promise.race([sawCi, new Promise((r) => setTimeout(r, 5000))]);
    await reader.cancel();
    expect(seen).toMatch(new RegExp(`"type":"ci.status","project":"sum","shas":\\[[^\\]]*"${head}"`));
  });

  it('plain Git projects never call a forge', async () => {
    const before = gh.requests.length;
    const sha = 'e'.repeat(40);
    expect((await summaries('plain', [sha]))[sha]?.state).toBe('none');
    await new Promise((r) => setTimeout(r, 200));
    expect(gh.requests.length).toBe(before);
  });
});
