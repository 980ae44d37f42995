import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let s: TestServer;
let adminId: string;

beforeAll(async () => {
  s = await startTestServer();
  adminId = (await s.store.ensureAdmin()).user.id;
});
afterAll(async () => {
  await s?.close();
});

const me = (token: string) => s.api('GET', '/api/me', undefined, { authorization: `token ${token}` });
const asAgent = (token: string) =>
  s.api(
    'POST',
    '/api/agent',
    { type: 'heartbeat', agentId: 'agent-0001', jobId: 'no-such-job' },
    {
      authorization: `token ${token}`,
    },
  );

describe('access tokens verified from memory', () => {
  it('a token in use keeps working, and stops at once when revoked where the server revokes (run end, machine end)', async () => {
    const t = await s.auth.createToken(adminId, 'laptop');
    for (let i = 0; i < 3; i++) expect((await me(t.token)).status).toBe(200);
    // The scheduler and the compute targets revoke through the store, not through a route.
    expect(await s.store.revokeToken(t.id, adminId)).toBe(true);
    expect((await me(t.token)).status).toBe(401);
  });

  it('an agent token revoked between two requests is refused on the second', async () => {
    const t = await s.auth.createToken(adminId, 'agent', 'agent');
    expect((await asAgent(t.token)).json).toMatchObject({ type: 'ack', gone: true });
    await s.store.revokeToken(t.id, adminId);
    expect((await asAgent(t.token)).status).toBe(401);
  });

  it('a revocation that overlaps requests in flight still wins: no request after it is let in', async () => {
    for (let round = 0; round < 20; round++) {
      const t = await s.auth.createToken(adminId, `race ${round}`);
      const inFlight = Array.from({ length: 5 }, () => me(t.token));
      const revoked = s.store.revokeToken(t.id, adminId);
      const more = Array.from({ length: 5 }, () => me(t.token));
      await Promise.all([...inFlight, revoked, ...more]);
      expect((await me(t.token)).status).toBe(401);
    }
  });

  it('each token is told apart: revoking one leaves another of the same user working', async () => {
    const a = await s.auth.createToken(adminId, 'a');
    const b = await s.auth.createToken(adminId, 'b');
    expect((await me(a.token)).status).toBe(200);
    expect((await me(b.token)).status).toBe(200);
    await s.store.revokeToken(a.id, adminId);
    expect((await me(a.token)).status).toBe(401);
    expect((await me(b.token)).status).toBe(200);
    expect((await me('kiln_not-a-token')).status).toBe(401);
  });
});
