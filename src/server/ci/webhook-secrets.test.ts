import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectWebhook, WebhookResult } from '../../contracts/ci.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

// Two projects on the same GitHub repository URL; each gets its own webhook secret. The sources
// are never fetched (reload failures are ignored by the webhook), only matched by URL.
const A = 'https://github.com/octo/alpha.git';
const B = 'https://github.com/octo/beta.git';
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  const local = new TestRepo();
  local.write('a', '1\n');
  local.commit('a');
  for (const [name, source] of [
    ['alpha', A],
    ['beta', B],
  ] as const)
    expect((await s.api('POST', '/api/projects', { name, source })).status).toBe(201);
});
afterAll(async () => {
  await s.close();
});

function deliver(secret: string, repo: string, event = 'push') {
  const body = JSON.stringify({ ref: 'refs/heads/main', repository: { clone_url: repo } });
  return fetch(`${s.url}/webhook/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
}

describe('per-project webhook secrets', () => {
  it('without any secret, webhooks are refused', async () => {
    expect((await deliver('x'.repeat(20), A)).status).toBe(403);
  });

  it("a project's own secret reloads that project only; another project's secret does not", async () => {
    const put = await s.api('PUT', '/api/projects/alpha/ci/webhook', { secret: 'generate' });
    expect(put.status).toBe(200);
    const { secret } = ProjectWebhook.parse(put.json);
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    expect(ProjectWebhook.parse((await s.api('GET', '/api/projects/alpha/ci/webhook')).json).secret).toBe(
      secret,
    );

    const ok = await deliver(secret ?? '', A);
    expect(ok.status).toBe(200);
    expect(WebhookResult.parse(await ok.json()).reloaded).toEqual(['alpha']);
    // alpha's secret does not speak for beta, which has no secret of its own
    expect((await deliver(secret ?? '', B)).status).toBe(403);
    expect((await deliver('y'.repeat(20), A)).status).toBe(401);
  });

  it('the secret is admin-only, validated, and can be removed', async () => {
    expect(
      (await s.api('GET', '/api/projects/alpha/ci/webhook', undefined, { authorization: '' })).status,
    ).toBe(401);
    expect((await s.api('PUT', '/api/projects/alpha/ci/webhook', { secret: 'short' })).status).toBe(400);
    expect((await s.api('PUT', '/api/projects/nope/ci/webhook', { secret: 'generate' })).status).toBe(404);
    const custom = 'a-project-secret-of-some-length';
    expect((await s.api('PUT', '/api/projects/beta/ci/webhook', { secret: custom })).status).toBe(200);
    expect((await deliver(custom, B)).status).toBe(200);
    const removed = await s.api('PUT', '/api/projects/beta/ci/webhook', { secret: null });
    expect(ProjectWebhook.parse(removed.json).secret).toBeNull();
    expect((await deliver(custom, B)).status).toBe(403);
  });
});
