import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../store/kysely-store.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { LOCK_AFTER } from './rate-limit.js';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

/** A browser-like client: keeps the session cookie the server sets. */
function browser() {
  let cookie = '';
  return {
    async call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(s.url + url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(cookie ? { cookie } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const set = res.headers.getSetCookie().find((c) => c.startsWith('kiln_session='));
      if (set) cookie = set.split(';')[0] ?? '';
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> };
    },
  };
}

const tokenOf = (url: unknown) => String(url).split('/invite/')[1] ?? '';

describe('invites and password sign-in', () => {
  it('an admin invites a person into a team; the link, opened once, sets a password and signs them in as a member of that team', async () => {
    const made = await s.api('POST', '/api/invites', {
      name: 'alice',
      email: 'alice@example.org',
      team: 'default',
      role: 'member',
    });
    expect(made.status).toBe(201);
    const invite = made.json as { url: string; expiresAt: string; role: string };
    expect(invite.url).toMatch(new RegExp(`^${s.url}/invite/[A-Za-z0-9_-]{20,}$`));
    // Expires in 7 days.
    const days = (Date.parse(invite.expiresAt) - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    // Only the hash is kept: the token itself is nowhere in the invites table.
    const rows = await s.store.identity.pendingInvites(new Date().toISOString());
    expect(JSON.stringify(rows)).not.toContain(tokenOf(invite.url));

    const b = browser();
    const info = await b.call('POST', '/api/invite/open', { token: tokenOf(invite.url) });
    expect(info.json).toMatchObject({ name: 'alice', teamName: 'default', role: 'member' });

    const weak = await b.call('POST', '/api/invite/accept', {
      token: tokenOf(invite.url),
      password: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.json.error).toMatch(/at least 10 characters/);

    const ok = await b.call('POST', '/api/invite/accept', {
      token: tokenOf(invite.url),
      password: 'correct horse battery',
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ user: 'alice', role: 'user' });
    expect((await b.call('GET', '/api/me')).json).toMatchObject({ user: 'alice' });

    const alice = await s.store.identity.userByName('alice');
    expect(alice?.passwordHash).toMatch(/^scrypt\$/);
    expect(alice?.passwordHash).not.toContain('correct horse');
    expect(await s.store.identity.roleInTeam('default', alice?.id ?? '')).toBe('member');

    // The link is used up: a second accept (or open) is refused and creates nobody.
    const again = await browser().call('POST', '/api/invite/accept', {
      token: tokenOf(invite.url),
      password: 'another long password',
    });
    expect(again.status).toBe(404);
    expect(again.json.error).toMatch(/invalid, expired, revoked or already used/);

    // Password sign-in works from a fresh browser; a wrong password does not.
    const fresh = browser();
    expect(
      (await fresh.call('POST', '/api/auth/login', { name: 'alice', password: 'wrong password!' })).status,
    ).toBe(401);
    const signed = await fresh.call('POST', '/api/auth/login', {
      name: 'alice',
      password: 'correct horse battery',
    });
    expect(signed.status).toBe(200);
    expect((await fresh.call('GET', '/api/me')).json).toMatchObject({ user: 'alice' });
  });

  it('a revoked invite link and an expired one no longer work', async () => {
    const made = (await s.api('POST', '/api/invites', { name: 'bob', team: 'default', role: 'viewer' }))
      .json as {
      id: string;
      url: string;
    };
    expect((await s.api('GET', '/api/invites')).json).toMatchObject({
      invites: expect.arrayContaining([expect.objectContaining({ name: 'bob' })]),
    });
    expect((await s.api('DELETE', `/api/invites/${made.id}`)).status).toBe(204);
    const gone = await browser().call('POST', '/api/invite/accept', {
      token: tokenOf(made.url),
      password: 'a long enough password',
    });
    expect(gone.status).toBe(404);
    expect(await s.store.identity.userByName('bob')).toBeNull();
    expect(JSON.stringify((await s.api('GET', '/api/invites')).json)).not.toContain('"bob"');

    const late = (await s.api('POST', '/api/invites', { name: 'carol', team: 'default', role: 'viewer' }))
      .json as { id: string; url: string };
    await (s.store as KyselyStore).db
      .updateTable('invites')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', late.id)
      .execute();
    expect((await browser().call('POST', '/api/invite/open', { token: tokenOf(late.url) })).status).toBe(404);
  });

  it('only an admin or the team owner may invite; a name already taken or an unknown team is refused with words', async () => {
    const teamless = await s.api('POST', '/api/invites', { name: 'dave', team: 'nope', role: 'member' });
    expect(teamless.status).toBe(404);
    expect(teamless.json).toMatchObject({ error: 'no team named nope' });
    const taken = await s.api('POST', '/api/invites', { name: 'admin', team: 'default', role: 'member' });
    expect(taken.status).toBe(409);
    const badRole = await s.api('POST', '/api/invites', { name: 'dave', team: 'default', role: 'god' });
    expect(badRole.status).toBe(400);

    // alice is a member (not owner) of the default team.
    const alice = browser();
    await alice.call('POST', '/api/auth/login', { name: 'alice', password: 'correct horse battery' });
    const refused = await alice.call(
      'POST',
      '/api/invites',
      { name: 'eve', team: 'default', role: 'owner' },
      { origin: s.url },
    );
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatch(/for instance admins and team owners/);
    expect((await alice.call('GET', '/api/invites')).json).toEqual({ invites: [] });
  });

  it('an invite takes the user names `kiln admin user` takes ("@", up to 100 characters) and refuses others with the rule', async () => {
    // One UserName for both contracts: a name an operator can create is a name an admin can invite.
    const { UserName: teamsName } = await import('../../contracts/teams.js');
    const { UserName: identityName } = await import('../../contracts/identity.js');
    expect(identityName).toBe(teamsName);
    const long = `a${'b'.repeat(98)}c`;
    for (const name of ['ana@lab.org', long]) {
      const made = await s.api('POST', '/api/invites', { name, team: 'default', role: 'viewer' });
      expect(made.status, JSON.stringify(made.json)).toBe(201);
      expect(made.json).toMatchObject({ name });
    }
    const tooLong = await s.api('POST', '/api/invites', {
      name: `${long}d`,
      team: 'default',
      role: 'viewer',
    });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.json)).toMatch(/at most 100 characters/);
    const bad = await s.api('POST', '/api/invites', { name: '-ana', team: 'default', role: 'viewer' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/starting with a letter or digit/);
  });

  it(`failed sign-ins slow down and, after ${LOCK_AFTER}, lock that account from that address; each is refused with the same words`, async () => {
    const b = browser();
    const unknown = await b.call('POST', '/api/auth/login', { name: 'nobody', password: 'whatever12345' });
    expect(unknown).toMatchObject({ status: 401, json: { error: 'wrong user name or password' } });
    for (let i = 1; i < LOCK_AFTER; i++)
      expect(
        (await b.call('POST', '/api/auth/login', { name: 'alice', password: `guess number ${i}` })).status,
      ).toBe(401);
    const t0 = Date.now();
    expect(
      (await b.call('POST', '/api/auth/login', { name: 'alice', password: 'guess number 5' })).status,
    ).toBe(401);
    // The fifth failure waited longer than a plain scrypt check takes.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(LOCK_AFTER * 200);
    const locked = await b.call('POST', '/api/auth/login', {
      name: 'alice',
      password: 'correct horse battery',
    });
    expect(locked.status).toBe(429);
    expect(locked.json.error).toMatch(
      /too many failed sign-ins for alice from this address: try again in 15 minutes/,
    );
  });
});
