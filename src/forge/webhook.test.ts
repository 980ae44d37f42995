import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook } from './webhook.js';

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
