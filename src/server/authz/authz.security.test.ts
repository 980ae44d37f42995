import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../store/kysely-store.js';
import { post } from '../../../test/live-test-kit.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { call, makeCast, runWithToken, type Cast } from '../../../test/test-teams.js';

let s: TestServer;
let cast: Cast;

beforeAll(async () => {
  s = await startTestServer();
  cast = await makeCast(s);
}, 120_000);
afterAll(async () => s?.close());

const db = () => (s.store as KyselyStore).db;

describe('a project a person is no member of does not exist for them', () => {
  it('answers 404 with the same words as a project that does not exist', async () => {
    const t = cast.users.otherOwner.token;
    const hidden = await call(s, t, 'GET', '/api/projects/p');
    const missing = await call(s, t, 'GET', '/api/projects/zzz');
    expect(hidden.status).toBe(404);
    expect(hidden.json.error).toBe('no project named "p"');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toBe('no project named "zzz"');
    // Changes too: refused before the body is read, as for a project that is not there.
    expect((await call(s, t, 'POST', '/api/projects/p/experiments', { rev: 'x' })).status).toBe(404);
  });

  it('the projects list shows only the caller’s projects, with their role and what they may do', async () => {
    const list = async (t: string) =>
      (
        (await call(s, t, 'GET', '/api/projects')).json.projects as Array<{
          name: string;
          access: { role: string };
        }>
      )
        .map((p) => `${p.name}:${p.access.role}`)
        .sort();
    expect(await list(cast.users.viewer.token)).toEqual(['p:viewer']);
    expect(await list(cast.users.otherOwner.token)).toEqual(['q:owner']);
    expect(await list(s.token)).toEqual(['p:owner', 'q:owner']);
    const viewer = await call(s, cast.users.viewer.token, 'GET', '/api/projects/p');
    expect(viewer.json.access).toMatchObject({
      role: 'viewer',
      team: 'ml',
      permissions: { 'project:read': true, 'project:run': false },
      reasons: { 'project:run': 'viewers cannot run experiments — ask a maintainer of team ml' },
    });
  });

  it('a viewer is refused a run with the reason', async () => {
    const r = await call(s, cast.users.viewer.token, 'POST', '/api/projects/p/experiments', { rev: 'x' });
    expect(r.status).toBe(403);
    expect(r.json.error).toBe('viewers cannot run experiments — ask a maintainer of team ml');
  });

  it('git smart HTTP: a member clones with a token as password, a non-member gets 404', async () => {
    const get = (token: string) =>
      fetch(`${s.url}/api/git/p/info/refs?service=git-upload-pack`, {
        headers: { authorization: `Basic ${Buffer.from(`kiln:${token}`).toString('base64')}` },
      });
    const member = await get(cast.users.member.token);
    expect(member.status).toBe(200);
    expect(await member.text()).toContain('refs/heads/main');
    const other = await get(cast.users.otherOwner.token);
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('no project named');
    const push = await fetch(`${s.url}/api/git/p/info/refs?service=git-receive-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`kiln:${cast.users.owner.token}`).toString('base64')}` },
    });
    expect(push.status).toBe(403);
  });

  it('live API: a member posts, a viewer is refused, a non-member and a live token of another project get 404', async () => {
    const start = (name: string) => ({
      type: 'start',
      repo_url: cast.repo.dir,
      baseline_sha: cast.head,
      name,
    });
    expect((await post(s, '/api/live', start('by-member'), cast.users.member.token)).status).toBe(200);
    expect((await post(s, '/api/live', start('by-viewer'), cast.users.viewer.token)).status).toBe(403);
    const other = await post(s, '/api/live', start('by-other'), cast.users.otherOwner.token);
    expect(other.status).toBe(404);
    const missing = await post(
      s,
      '/api/live',
      { ...start('x'), repo_url: '/nowhere/at/all' },
      cast.users.member.token,
    );
    const words = (j: unknown) => ({
      error: (j as { error: string }).error,
      code: (j as { code: string }).code,
    });
    expect(words(other.json)).toEqual(words(missing.json));
    expect(words(other.json)).toEqual({ error: 'unknown repository', code: 'not_found' });
    const onlyQ = await s.auth.createToken(cast.users.owner.id, 'q', { scope: 'live', projects: ['q'] });
    expect((await post(s, '/api/live', start('limited'), onlyQ.token)).status).toBe(404);
    const onlyP = await s.auth.createToken(cast.users.owner.id, 'p', { scope: 'live', projects: ['p'] });
    expect((await post(s, '/api/live', start('limited'), onlyP.token)).status).toBe(200);
    // ...and nothing else: not even reading the project it posts to.
    expect((await call(s, onlyP.token, 'GET', '/api/projects/p')).status).toBe(403);
  });

  it('SSE: a subscriber receives only events of projects it can read', async () => {
    const listen = async (token: string) => {
      const ctl = new AbortController();
      const res = await fetch(`${s.url}/api/events`, {
        headers: { authorization: `token ${token}` },
        signal: ctl.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      const reading = (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      })();
      return { text: () => text, stop: async () => (ctl.abort(), reading) };
    };
    const member = await listen(cast.users.member.token);
    const other = await listen(cast.users.otherOwner.token);
    expect((await call(s, s.token, 'POST', '/api/projects/p/reload')).status).toBe(200);
    expect((await call(s, s.token, 'POST', '/api/projects/q/reload')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    await member.stop();
    await other.stop();
    expect(member.text()).toContain('"project":"p"');
    expect(member.text()).not.toContain('"project":"q"');
    expect(other.text()).toContain('"project":"q"');
    expect(other.text()).not.toContain('"project":"p"');
  });
});

describe('runs: members cancel their own, maintainers anyone’s', () => {
  it('a member cancels their own run but not another’s; a maintainer cancels any', async () => {
    const mine = await runWithToken(s, 'p', 'mine', cast.head);
    const theirs = await runWithToken(s, 'p', 'theirs', cast.head);
    await s.store.teams.setRunOwner(mine.experiment.id, cast.users.member.id);
    await s.store.teams.setRunOwner(theirs.experiment.id, cast.users.owner.id);
    const m = cast.users.member.token;
    expect((await call(s, m, 'POST', '/api/projects/p/experiments/mine/cancel')).status).toBe(200);
    const refused = await call(s, m, 'POST', '/api/projects/p/experiments/theirs/cancel');
    expect(refused.status).toBe(403);
    expect(refused.json.error).toBe('members can cancel only their own runs — ask a maintainer of team ml');
    expect(
      (await call(s, cast.users.maintainer.token, 'POST', '/api/projects/p/experiments/theirs/cancel'))
        .status,
    ).toBe(200);
  });
});

describe('tokens are read from the database on every request (issue 17)', () => {
  it('a revocation made by another server sharing the database holds on the next request', async () => {
    const t = await s.auth.createToken(cast.users.member.id, 'elsewhere', { scope: 'admin' });
    expect((await call(s, t.token, 'GET', '/api/me')).status).toBe(200);
    // Another server revokes it: straight in the shared database, not through this process.
    await db()
      .updateTable('tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', t.id)
      .execute();
    expect((await call(s, t.token, 'GET', '/api/me')).status).toBe(401);
  });

  it('a role lowered by another server holds on the next request', async () => {
    const u = await s.store.teams.createUser({ name: 'rolf' });
    await s.store.teams.setMember(cast.team.id, u.id, 'member');
    const { token } = await s.auth.createToken(u.id, 't', { scope: 'admin' });
    expect((await call(s, token, 'POST', '/api/projects/p/experiments', {})).status).toBe(400);
    await sql`update team_members set role = 'viewer' where user_id = ${u.id}`.execute(db());
    expect((await call(s, token, 'POST', '/api/projects/p/experiments', {})).status).toBe(403);
  });

  it('an expired token is refused; "last used" is written at most once a minute', async () => {
    const t = await s.auth.createToken(cast.users.member.id, 'short', {
      scope: 'read',
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    expect((await call(s, t.token, 'GET', '/api/me')).status).toBe(200);
    const first = (await s.store.teams.listTokens(cast.users.member.id)).find(
      (x) => x.id === t.id,
    )?.lastUsedAt;
    expect(first).toBeTruthy();
    expect((await call(s, t.token, 'GET', '/api/me')).status).toBe(200);
    const second = (await s.store.teams.listTokens(cast.users.member.id)).find(
      (x) => x.id === t.id,
    )?.lastUsedAt;
    expect(second).toBe(first);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await call(s, t.token, 'GET', '/api/me')).status).toBe(401);
  });

  it('a token scope never raises a role: a read token of an owner cannot run', async () => {
    const t = await s.auth.createToken(cast.users.owner.id, 'r', { scope: 'read' });
    expect((await call(s, t.token, 'GET', '/api/projects/p')).status).toBe(200);
    const r = await call(s, t.token, 'POST', '/api/projects/p/experiments', {});
    expect(r.status).toBe(403);
    expect(r.json.error).toMatch(/a read token cannot/);
  });
});

describe('team owners manage members; project owners per-project roles', () => {
  it('a project override raises a viewer to member there; only owners set roles; a team keeps an owner', async () => {
    const o = cast.users.owner.token;
    const v = cast.users.viewer.token;
    expect((await call(s, v, 'POST', '/api/projects/p/experiments', {})).status).toBe(403);
    const refused = await call(s, cast.users.member.token, 'PUT', '/api/projects/p/members/vera', {
      role: 'member',
    });
    expect(refused.status).toBe(403);
    expect((await call(s, o, 'PUT', '/api/projects/p/members/vera', { role: 'member' })).status).toBe(200);
    // Past the role check: the empty body is what is refused now.
    expect((await call(s, v, 'POST', '/api/projects/p/experiments', {})).status).toBe(400);
    const members = await call(s, v, 'GET', '/api/projects/p/members');
    expect(members.json.overrides).toEqual([expect.objectContaining({ name: 'vera', role: 'member' })]);
    expect((await call(s, o, 'PUT', '/api/projects/p/members/vera', { role: null })).status).toBe(200);
    expect((await call(s, v, 'POST', '/api/projects/p/experiments', {})).status).toBe(403);

    expect(
      (await call(s, cast.users.maintainer.token, 'PUT', '/api/teams/ml/members/vera', { role: 'member' }))
        .status,
    ).toBe(403);
    expect(
      (await call(s, cast.users.otherOwner.token, 'PUT', '/api/teams/ml/members/vera', { role: 'member' }))
        .status,
    ).toBe(404);
    const last = await call(s, o, 'PUT', '/api/teams/ml/members/olga', { role: 'member' });
    expect(last.status).toBe(409);
    expect(last.json.error).toBe('a team needs an owner: make someone else owner first');
  });
});

describe('invites and the audit trail are for instance admins and owners, checked before the body is read', () => {
  it('a person who owns nothing is refused an invite before a malformed or large body is read; an owner gets past to the body check', async () => {
    const m = cast.users.member.token;
    // A body that fails validation: refused for who is sending it, not for what they sent.
    const bad = await call(s, m, 'POST', '/api/invites', { name: '' });
    expect(bad.status).toBe(403);
    expect(bad.json.error).toBe('this is for instance admins and team owners');
    const big = await call(s, m, 'POST', '/api/invites', { name: 'x'.repeat(2_000_000) });
    expect(big.status).toBe(403);
    expect((await call(s, m, 'DELETE', '/api/invites/whatever')).status).toBe(403);
    // An owner's malformed body is refused for its content (the handler still checks the team).
    const owner = await call(s, cast.users.owner.token, 'POST', '/api/invites', { name: '' });
    expect(owner.status).toBe(400);
    const elsewhere = await call(s, cast.users.otherOwner.token, 'POST', '/api/invites', {
      name: 'newbie',
      team: 'ml',
      role: 'viewer',
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.json.error).toMatch(/inviting into team ml needs an admin or the team's owner/);
    // Listing stays open to everyone signed in: it holds only what they manage.
    expect((await call(s, m, 'GET', '/api/invites')).json).toEqual({ invites: [] });
  });

  it('the audit trail: a maintainer and an owner’s read token are refused with words; an owner reads their projects', async () => {
    const mt = await call(s, cast.users.maintainer.token, 'GET', '/api/audit?limit=1&cursor=%%%');
    expect(mt.status).toBe(403);
    expect(mt.json.error).toBe('this is for instance admins and team owners');
    const read = await s.auth.createToken(cast.users.owner.id, 'audit-read', { scope: 'read' });
    expect((await call(s, read.token, 'GET', '/api/audit')).status).toBe(403);
    expect((await call(s, cast.users.owner.token, 'GET', '/api/audit?project=p')).status).toBe(200);
    expect((await call(s, cast.users.owner.token, 'GET', '/api/audit?project=q')).status).toBe(404);
  });
});

describe('an open event stream follows access changes at once', () => {
  const listen = async (token: string) => {
    const ctl = new AbortController();
    const res = await fetch(`${s.url}/api/events`, {
      headers: { authorization: `token ${token}` },
      signal: ctl.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    const until = async (needle: string, from = 0) => {
      while (!text.slice(from).includes(needle)) await new Promise((r) => setTimeout(r, 20));
    };
    return { text: () => text, until, ended, stop: async () => (ctl.abort(), ended) };
  };

  it('a member removed from the team stops getting the project’s events on the next event; a revoked token’s stream ends', async () => {
    const u = cast.users.member;
    // A project the member keeps after leaving team ml: its events mark how far the stream got.
    await s.store.teams.setProjectRole('q', u.id, 'viewer');
    const stream = await listen(u.token);
    expect((await call(s, s.token, 'POST', '/api/projects/p/reload')).status).toBe(200);
    await stream.until('"project":"p"');

    expect((await call(s, cast.users.owner.token, 'DELETE', '/api/teams/ml/members/max')).status).toBe(204);
    const mark = stream.text().length;
    expect((await call(s, s.token, 'POST', '/api/projects/p/reload')).status).toBe(200);
    expect((await call(s, s.token, 'POST', '/api/projects/q/reload')).status).toBe(200);
    await stream.until('"project":"q"', mark);
    expect(stream.text().slice(mark)).not.toContain('"project":"p"');
    await stream.stop();
    await s.store.teams.setMember(cast.team.id, u.id, 'member');
    await s.store.teams.setProjectRole('q', u.id, null);

    const t = await s.auth.createToken(u.id, 'stream', { scope: 'read' });
    const revoked = await listen(t.token);
    expect((await call(s, u.token, 'DELETE', `/api/tokens/${t.id}`)).status).toBe(204);
    // The server ends the stream: reading it finishes without the test aborting it.
    await revoked.ended;
  }, 60_000);
});
