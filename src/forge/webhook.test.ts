import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, webhookCommits } from './webhook.js';

describe('contract: webhook signatures', () => {
  // GitHub's documented test vector for X-Hub-Signature-256.
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');
  it('contract: GitHub HMAC-SHA256 X-Hub-Signature-256', () => {
    const sig = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verifyWebhook('github', { 'x-hub-signature-256': sig }, body, secret)).toBe(true);
    expect(
      verifyWebhook('github', { 'x-hub-signature-256': sig }, Buffer.from('Hello, World?'), secret),
    ).toBe(false);
    expect(verifyWebhook('github', {}, body, secret)).toBe(false);
  });
  it('contract: Gitea HMAC-SHA256 hex X-Gitea-Signature and Bitbucket X-Hub-Signature', () => {
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    expect(verifyWebhook('gitea', { 'x-gitea-signature': hex }, body, secret)).toBe(true);
    expect(verifyWebhook('gitea', { 'x-gitea-signature': hex.replace(/^./, '0') }, body, secret)).toBe(
      hex.startsWith('0'),
    );
    expect(verifyWebhook('bitbucket', { 'x-hub-signature': `sha256=${hex}` }, body, secret)).toBe(true);
  });
  it('contract: GitLab X-Gitlab-Token equals the secret', () => {
    expect(verifyWebhook('gitlab', { 'x-gitlab-token': secret }, body, secret)).toBe(true);
    expect(verifyWebhook('gitlab', { 'x-gitlab-token': 'guess' }, body, secret)).toBe(false);
  });
});

describe('contract: the commit a webhook event is about', () => {
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  // Trimmed to the fields each forge documents for these events.
  it('contract: GitHub status, check_run, check_suite, workflow_run, pull_request and push', () => {
    expect(webhookCommits({ sha: a, state: 'success', context: 'cml', target_url: null })).toEqual([a]);
    expect(webhookCommits({ action: 'completed', check_run: { head_sha: a, status: 'completed' } })).toEqual([
      a,
    ]);
    expect(webhookCommits({ action: 'completed', check_suite: { head_sha: a } })).toEqual([a]);
    expect(webhookCommits({ action: 'completed', workflow_run: { head_sha: a, html_url: 'x' } })).toEqual([
      a,
    ]);
    expect(
      webhookCommits({ action: 'opened', pull_request: { number: 1, head: { sha: a, ref: 'x' } } }),
    ).toEqual([a]);
    expect(webhookCommits({ ref: 'refs/heads/main', before: b, after: a })).toEqual([a]);
  });
  it('contract: GitLab Pipeline Hook, Job Hook, Merge Request Hook and Push Hook', () => {
    expect(
      webhookCommits({ object_kind: 'pipeline', object_attributes: { id: 1, sha: a, status: 'running' } }),
    ).toEqual([a]);
    expect(webhookCommits({ object_kind: 'build', sha: a, build_status: 'failed' })).toEqual([a]);
    expect(
      webhookCommits({ object_kind: 'merge_request', object_attributes: { iid: 3, last_commit: { id: a } } }),
    ).toEqual([a]);
    expect(webhookCommits({ object_kind: 'push', before: b, after: a, checkout_sha: a })).toEqual([a]);
  });
  it('contract: a CML report lands as a GitHub commit_comment or a GitLab Note Hook on a commit', () => {
    expect(webhookCommits({ action: 'created', comment: { commit_id: a, body: 'report' } })).toEqual([a]);
    expect(
      webhookCommits({
        object_kind: 'note',
        object_attributes: { noteable_type: 'Commit' },
        commit: { id: a },
      }),
    ).toEqual([a]);
  });
  it('contract: Bitbucket repo:commit_status_updated and Gitea status', () => {
    expect(webhookCommits({ commit_status: { state: 'SUCCESSFUL', commit: { hash: a } } })).toEqual([a]);
    expect(webhookCommits({ sha: a, state: 'pending', context: 'ci/drone' })).toEqual([a]);
  });
  it('ignores what is not a full commit id', () => {
    expect(webhookCommits({ after: '0'.repeat(39) })).toEqual([]);
    expect(webhookCommits({ ref: 'refs/heads/gone', before: a, after: '0'.repeat(40) })).toEqual([]);
    expect(webhookCommits({ sha: 'main' })).toEqual([]);
    expect(webhookCommits('not an object')).toEqual([]);
    expect(webhookCommits({ checkout_sha: null })).toEqual([]);
  });
});
