import { afterEach, describe, expect, it } from 'vitest';
import { BitbucketForge } from './bitbucket.js';
import { FakeForge, type Answer } from '../../test/fake-forge.js';
import { GiteaForge } from './gitea.js';
import { GitHubForge } from './github.js';
import { GitLabForge } from './gitlab.js';
import { PlainGitForge } from './plain.js';
import { ForgeError } from './port.js';

const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const PR = { head: 'kiln/brisk-bolt', base: 'main', title: 'Try lr 0.2', body: 'From Kiln' };
const CML_BODY = '## Metrics\n| acc | 0.9 |\n\n![](https://cml.dev/watermark.png#abc "CML watermark")';

let fake: FakeForge | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});
async function serve(routes: Record<string, Answer>): Promise<FakeForge> {
  fake = await new FakeForge(routes).start();
  return fake;
}

describe('contract: GitHub REST API (Octokit)', () => {
  const base = `/repos/octo/hello`;
  it('contract: creates a pull request with POST /repos/{owner}/{repo}/pulls', async () => {
    const f = await serve({
      [`POST ${base}/pulls`]: {
        status: 201,
        json: { id: 1, number: 1347, state: 'open', html_url: 'https://github.com/octo/hello/pull/1347' },
      },
    });
    const pr = await new GitHubForge(f.url, 'ghp_x', { owner: 'octo', name: 'hello' }).createPullRequest(PR);
    expect(pr).toEqual({ url: 'https://github.com/octo/hello/pull/1347', number: 1347 });
    expect(f.requests[0]?.body).toEqual(PR);
    expect(f.requests[0]?.headers.authorization).toBe('token ghp_x');
  });

  it('contract: reads combined statuses and check runs of a commit', async () => {
    const f = await serve({
      [`GET ${base}/commits/${SHA}/status`]: {
        json: {
          state: 'pending',
          sha: SHA,
          total_count: 1,
          statuses: [
            { context: 'ci/jenkins', state: 'success', target_url: 'https://ci/1', description: 'ok' },
          ],
        },
      },
      [`GET ${base}/commits/${SHA}/check-runs`]: {
        json: {
          total_count: 2,
          check_runs: [
            {
              id: 4,
              name: 'train',
              status: 'in_progress',
              conclusion: null,
              html_url: 'https://github.com/r/4',
            },
            {
              id: 5,
              name: 'lint',
              status: 'completed',
              conclusion: 'failure',
              html_url: 'https://github.com/r/5',
            },
          ],
        },
      },
    });
    const checks = await new GitHubForge(f.url, null, { owner: 'octo', name: 'hello' }).commitChecks(SHA);
    expect(checks).toEqual([
      { name: 'ci/jenkins', state: 'passed', url: 'https://ci/1' },
      { name: 'train', state: 'running', url: 'https://github.com/r/4' },
      { name: 'lint', state: 'failed', url: 'https://github.com/r/5' },
    ]);
  });

  it('contract: lists commit comments and keeps the CML reports', async () => {
    const f = await serve({
      [`GET ${base}/commits/${SHA}/comments`]: {
        json: [
          {
            id: 1,
            html_url: 'https://github.com/c/1',
            body: 'nice',
            user: { login: 'ann' },
            created_at: '2026-01-01T00:00:00Z',
          },
          {
            id: 2,
            html_url: 'https://github.com/c/2',
            body: CML_BODY,
            user: { login: 'cml-bot' },
            created_at: '2026-01-02T00:00:00Z',
          },
        ],
      },
    });
    const reports = await new GitHubForge(f.url, null, { owner: 'octo', name: 'hello' }).cmlReports(SHA);
    expect(reports).toEqual([
      { url: 'https://github.com/c/2', author: 'cml-bot', createdAt: '2026-01-02T00:00:00Z' },
    ]);
  });

  it('contract: a 422 becomes a ForgeError with the status', async () => {
    const f = await serve({
      [`POST ${base}/pulls`]: { status: 422, json: { message: 'Validation Failed' } },
    });
    const err: unknown = await new GitHubForge(f.url, 't', { owner: 'octo', name: 'hello' })
      .createPullRequest(PR)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgeError);
    expect(err).toMatchObject({ status: 422 });
  });
});

describe('contract: GitLab REST API v4 (gitbeaker)', () => {
  const project = '/api/v4/projects/group%2Fsub%2Fml';
  const repo = { owner: 'group/sub', name: 'ml' };
  it('contract: creates a merge request with POST /projects/:id/merge_requests', async () => {
    const f = await serve({
      [`POST ${project}/merge_requests`]: {
        status: 201,
        json: {
          id: 9,
          iid: 12,
          web_url: 'https://gitlab.example.com/group/sub/ml/-/merge_requests/12',
          state: 'opened',
        },
      },
    });
    const pr = await new GitLabForge(
      f.url,
      'glpat-x',
      repo,
      'https://gitlab.example.com/group/sub/ml',
    ).createPullRequest(PR);
    expect(pr).toEqual({ url: 'https://gitlab.example.com/group/sub/ml/-/merge_requests/12', number: 12 });
    expect(f.requests[0]?.body).toMatchObject({
      source_branch: PR.head,
      target_branch: PR.base,
      title: PR.title,
      description: PR.body,
    });
    expect(f.requests[0]?.headers['private-token']).toBe('glpat-x');
  });

  it('contract: reads commit statuses and CML commit comments', async () => {
    const f = await serve({
      [`GET ${project}/repository/commits/${SHA}/statuses`]: {
        json: [
          {
            id: 1,
            name: 'train',
            status: 'running',
            target_url: 'https://gitlab.example.com/-/jobs/1',
            sha: SHA,
          },
          { id: 2, name: 'deploy-runner', status: 'success', target_url: null, sha: SHA },
        ],
      },
      [`GET ${project}/repository/commits/${SHA}/comments`]: {
        json: [
          { note: CML_BODY, author: { id: 1, username: 'cml', name: 'CML' } },
          { note: 'lgtm', author: { id: 2, username: 'ann', name: 'Ann' } },
        ],
      },
    });
    const forge = new GitLabForge(f.url, 'glpat-x', repo, 'https://gitlab.example.com/group/sub/ml');
    expect(await forge.commitChecks(SHA)).toEqual([
      { name: 'train', state: 'running', url: 'https://gitlab.example.com/-/jobs/1' },
      { name: 'deploy-runner', state: 'passed', url: null },
    ]);
    expect(await forge.cmlReports(SHA)).toEqual([
      {
        url: `https://gitlab.example.com/group/sub/ml/-/commit/${SHA}#notes-list`,
        author: 'cml',
        createdAt: '',
      },
    ]);
  });
});

describe('contract: Bitbucket Cloud REST API 2.0', () => {
  const base = '/2.0/repositories/team/ml';
  it('contract: creates a pull request and authenticates app passwords with Basic', async () => {
    const f = await serve({
      [`POST ${base}/pullrequests`]: {
        status: 201,
        json: {
          id: 7,
          title: PR.title,
          state: 'OPEN',
          links: { html: { href: 'https://bitbucket.org/team/ml/pull-requests/7' } },
        },
      },
    });
    const forge = new BitbucketForge(
      `${f.url}/2.0`,
      { username: 'me', token: 'app-pw' },
      { owner: 'team', name: 'ml' },
    );
    expect(await forge.createPullRequest(PR)).toEqual({
      url: 'https://bitbucket.org/team/ml/pull-requests/7',
      number: 7,
    });
    expect(f.requests[0]?.body).toEqual({
      title: PR.title,
      description: PR.body,
      source: { branch: { name: PR.head } },
      destination: { branch: { name: PR.base } },
    });
    expect(f.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('me:app-pw').toString('base64')}`);
  });

  it('contract: reads build statuses and CML commit comments', async () => {
    const f = await serve({
      [`GET ${base}/commit/${SHA}/statuses`]: {
        json: {
          pagelen: 10,
          size: 1,
          values: [{ key: 'pipeline', name: 'Pipeline #3', state: 'INPROGRESS', url: 'https://bb/p/3' }],
        },
      },
      [`GET ${base}/commit/${SHA}/comments`]: {
        json: {
          values: [
            {
              id: 1,
              content: { raw: CML_BODY, markup: 'markdown' },
              user: { display_name: 'CML Bot' },
              created_on: '2026-01-01T00:00:00+00:00',
              links: { html: { href: 'https://bitbucket.org/team/ml/commits/x#comment-1' } },
            },
          ],
        },
      },
    });
    const forge = new BitbucketForge(`${f.url}/2.0`, { token: 'repo-token' }, { owner: 'team', name: 'ml' });
    expect(await forge.commitChecks(SHA)).toEqual([
      { name: 'Pipeline #3', state: 'running', url: 'https://bb/p/3' },
    ]);
    expect(await forge.cmlReports(SHA)).toEqual([
      {
        url: 'https://bitbucket.org/team/ml/commits/x#comment-1',
        author: 'CML Bot',
        createdAt: '2026-01-01T00:00:00+00:00',
      },
    ]);
    expect(f.requests[0]?.headers.authorization).toBe('Bearer repo-token');
  });
});

describe('contract: Gitea API v1', () => {
  const base = '/api/v1/repos/ann/ml';
  it('contract: creates a pull request and reads the combined status', async () => {
    const f = await serve({
      [`POST ${base}/pulls`]: {
        status: 201,
        json: { id: 3, number: 3, html_url: 'https://gitea.example.com/ann/ml/pulls/3' },
      },
      [`GET ${base}/commits/${SHA}/status`]: {
        json: {
          state: 'failure',
          sha: SHA,
          statuses: [{ id: 1, context: 'drone', status: 'failure', target_url: 'https://drone/1' }],
        },
      },
    });
    const forge = new GiteaForge(`${f.url}/api/v1`, 'tok', { owner: 'ann', name: 'ml' });
    expect(await forge.createPullRequest(PR)).toEqual({
      url: 'https://gitea.example.com/ann/ml/pulls/3',
      number: 3,
    });
    expect(f.requests[0]?.body).toEqual(PR);
    expect(f.requests[0]?.headers.authorization).toBe('token tok');
    expect(await forge.commitChecks(SHA)).toEqual([
      { name: 'drone', state: 'failed', url: 'https://drone/1' },
    ]);
  });

  it('contract: a malformed answer is a ForgeError, not a crash', async () => {
    const f = await serve({ [`POST ${base}/pulls`]: { status: 201, json: { nope: true } } });
    await expect(
      new GiteaForge(`${f.url}/api/v1`, 't', { owner: 'ann', name: 'ml' }).createPullRequest(PR),
    ).rejects.toThrow(ForgeError);
  });
});

describe('contract: plain Git', () => {
  it('contract: has no pull requests, statuses or comments', async () => {
    const g = new PlainGitForge();
    expect(g.supportsPullRequests).toBe(false);
    await expect(g.createPullRequest()).rejects.toThrow('no pull requests');
    expect(await g.commitChecks()).toEqual([]);
  });
});

describe('contract: CML reports on pull requests (`cml comment create --pr`)', () => {
  it('contract: GitHub lists the PR conversation with GET /repos/{owner}/{repo}/issues/{n}/comments', async () => {
    const f = await serve({
      [`GET /repos/octo/hello/issues/12/comments`]: {
        json: [
          {
            id: 1,
            html_url: 'https://github.com/octo/hello/pull/12#issuecomment-1',
            body: 'ok',
            user: { login: 'a' },
            created_at: '2026-01-01T00:00:00Z',
          },
          {
            id: 2,
            html_url: 'https://github.com/octo/hello/pull/12#issuecomment-2',
            body: CML_BODY,
            user: { login: 'cml' },
            created_at: '2026-01-02T00:00:00Z',
          },
        ],
      },
    });
    expect(
      await new GitHubForge(f.url, 't', { owner: 'octo', name: 'hello' }).pullRequestReports(12),
    ).toEqual([
      {
        url: 'https://github.com/octo/hello/pull/12#issuecomment-2',
        author: 'cml',
        createdAt: '2026-01-02T00:00:00Z',
      },
    ]);
  });

  it('contract: GitLab lists merge request notes with GET /projects/:id/merge_requests/:iid/notes, skipping system notes', async () => {
    const f = await serve({
      [`GET /api/v4/projects/group%2Fml/merge_requests/4/notes`]: {
        json: [
          {
            id: 10,
            body: CML_BODY,
            author: { id: 1, username: 'cml' },
            created_at: '2026-01-02T00:00:00Z',
            system: false,
          },
          {
            id: 11,
            body: `added 1 commit ${CML_BODY}`,
            author: { id: 2, username: 'ann' },
            created_at: '2026-01-03T00:00:00Z',
            system: true,
          },
        ],
      },
    });
    const forge = new GitLabForge(
      f.url,
      'glpat',
      { owner: 'group', name: 'ml' },
      'https://gitlab.example.com/group/ml',
    );
    expect(await forge.pullRequestReports(4)).toEqual([
      {
        url: 'https://gitlab.example.com/group/ml/-/merge_requests/4#note_10',
        author: 'cml',
        createdAt: '2026-01-02T00:00:00Z',
      },
    ]);
  });

  it('contract: Bitbucket lists GET /repositories/{ws}/{slug}/pullrequests/{id}/comments', async () => {
    const f = await serve({
      [`GET /2.0/repositories/team/ml/pullrequests/7/comments`]: {
        json: {
          values: [
            {
              id: 1,
              content: { raw: CML_BODY },
              user: { display_name: 'CML' },
              created_on: '2026-01-02T00:00:00+00:00',
              links: { html: { href: 'https://bitbucket.org/team/ml/pull-requests/7#comment-1' } },
            },
          ],
        },
      },
    });
    const forge = new BitbucketForge(`${f.url}/2.0`, null, { owner: 'team', name: 'ml' });
    expect(await forge.pullRequestReports(7)).toEqual([
      {
        url: 'https://bitbucket.org/team/ml/pull-requests/7#comment-1',
        author: 'CML',
        createdAt: '2026-01-02T00:00:00+00:00',
      },
    ]);
  });

  it('contract: Gitea lists GET /repos/{owner}/{repo}/issues/{index}/comments', async () => {
    const f = await serve({
      [`GET /api/v1/repos/ann/ml/issues/3/comments`]: {
        json: [
          {
            id: 5,
            html_url: 'https://gitea.example.com/ann/ml/pulls/3#issuecomment-5',
            body: CML_BODY,
            user: { login: 'cml' },
            created_at: '2026-01-02T00:00:00Z',
          },
        ],
      },
    });
    const forge = new GiteaForge(`${f.url}/api/v1`, 'tok', { owner: 'ann', name: 'ml' });
    expect(await forge.pullRequestReports(3)).toEqual([
      {
        url: 'https://gitea.example.com/ann/ml/pulls/3#issuecomment-5',
        author: 'cml',
        createdAt: '2026-01-02T00:00:00Z',
      },
    ]);
    expect(await new PlainGitForge().pullRequestReports()).toEqual([]);
  });
});
