import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPage, type AuditEvent } from '../../contracts/audit.js';
import type { Database } from '../../store/schema.js';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

const call = async (method: string, url: string, token: string | null, body?: unknown) => {
  const res = await fetch(h.server.url + url, {
    method,
    headers: {
      ...(token ? { authorization: `token ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
};

/** Every event the admin can read with these filters, following the cursor to the end. */
async function allEvents(query = ''): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const q = `${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const r = await h.api('GET', `/api/audit?limit=100${q}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const page = AuditPage.parse(r.json);
    out.push(...page.events);
    cursor = page.next;
  } while (cursor);
  return out;
}

/** A person with a role in the default team (which holds the demo project), and their token. */
async function person(
  name: string,
  teamRole: 'viewer' | 'member' | 'maintainer' | 'owner' | null,
): Promise<string> {
  const db = (h.server.store as unknown as { db: Kysely<Database> }).db;
  const id = crypto.randomUUID();
  const at = new Date().toISOString();
  await db.insertInto('users').values({ id, name, role: 'user', created_at: at }).execute();
  if (teamRole)
    await db
      .insertInto('team_members')
      .values({ team_id: 'default', user_id: id, role: teamRole, created_at: at })
      .execute();
  return (await h.server.auth.createToken(id, `${name}'s`)).token;
}

beforeAll(async () => {
  h = await startRunServer();
}, 240_000);
afterAll(async () => h?.close());

describe('audit trail, recorded from real requests', () => {
  it('a run queued and cancelled is recorded with who, from where and what', async () => {
    const q = await h.api('POST', '/api/projects/demo/experiments', {
      rev: 'main',
      name: 'audited',
      script: 'sleep 30\n',
    });
    expect(q.status, JSON.stringify(q.json)).toBe(201);
    const c = await h.api('POST', '/api/projects/demo/experiments/audited/cancel');
    expect(c.status, JSON.stringify(c.json)).toBe(200);
    const events = await allEvents('&project=demo&action=run.');
    const queued = events.find((e) => e.action === 'run.queued');
    const cancelled = events.find((e) => e.action === 'run.cancelled');
    expect(queued).toMatchObject({
      actorName: 'admin',
      actorKind: 'token',
      ip: '127.0.0.1',
      project: 'demo',
      target: 'audited',
      outcome: 'ok',
      detail: { rev: 'main', name: 'audited' },
    });
    expect(cancelled).toMatchObject({
      actorName: 'admin',
      project: 'demo',
      target: 'audited',
      outcome: 'ok',
    });
    // Newest first.
    expect(events.indexOf(cancelled!)).toBeLessThan(events.indexOf(queued!));
    // The script (a body field not named safe) is not kept.
    expect(JSON.stringify(queued)).not.toContain('sleep 30');
  }, 60_000);

  it('tokens made and revoked, and credentials added, are recorded without their secrets', async () => {
    const made = await h.api('POST', '/api/tokens', { name: 'ci bot' });
    expect(made.status).toBe(201);
    const { id, token } = made.json as { id: string; token: string };
    expect((await h.api('DELETE', `/api/tokens/${id}`)).status).toBe(204);
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const cred = await h.api('POST', '/api/compute/credentials', {
      name: 'aws-main',
      secret: { kind: 'aws', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret },
    });
    expect(cred.status, JSON.stringify(cred.json)).toBe(201);
    expect((await h.api('DELETE', '/api/compute/credentials/aws-main')).status).toBe(204);

    const events = await allEvents();
    expect(events.find((e) => e.action === 'token.created' && e.detail['result.id'] === id)).toMatchObject({
      actorName: 'admin',
      outcome: 'ok',
      detail: { name: 'ci bot' },
    });
    expect(events.find((e) => e.action === 'token.revoked')).toMatchObject({ target: id, outcome: 'ok' });
    expect(events.find((e) => e.action === 'credential.added')).toMatchObject({ target: 'aws-main' });
    expect(events.find((e) => e.action === 'credential.removed')).toMatchObject({ target: 'aws-main' });
    const everything = JSON.stringify(events);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('a denied request is recorded as denied, with the person who tried', async () => {
    const bob = await person('bob', 'member');
    const r = await call('PUT', '/api/compute/local', bob, { concurrency: 9 });
    expect(r.status).toBe(403);
    const anon = await call('POST', '/api/projects/demo/experiments/x/cancel', null);
    expect(anon.status).toBe(401);
    const failed = await call('POST', '/api/auth/login', null, { code: 'not-a-real-code' });
    expect(failed.status).toBe(401);

    const events = await allEvents();
    expect(events.find((e) => e.action === 'compute.local')).toMatchObject({
      actorName: 'bob',
      actorKind: 'token',
      outcome: 'denied',
      detail: { status: 403 },
    });
    expect(events.find((e) => e.action === 'run.cancelled' && e.outcome === 'denied')).toMatchObject({
      actorKind: 'anonymous',
      actorName: null,
      project: 'demo',
      ip: '127.0.0.1',
    });
    expect(events.find((e) => e.action === 'signin.failed')).toMatchObject({ outcome: 'denied' });
    // Nothing a GET did is recorded.
    expect(events.some((e) => e.detail.method === 'GET')).toBe(false);
  });

  it('only admins and team owners read it; an owner sees only their projects', async () => {
    const carol = await person('carol', 'viewer');
    const r = await call('GET', '/api/audit', carol);
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.json)).toContain('instance admins and team owners');

    const dana = await person('dana', 'owner');
    // An event of no project, which a team owner does not see.
    await h.api('PUT', '/api/compute/local', { concurrency: 2 });
    const seen = AuditPage.parse((await call('GET', '/api/audit?limit=500', dana)).json).events;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((e) => e.project === 'demo')).toBe(true);
    expect((await call('GET', '/api/audit?project=elsewhere', dana)).status).toBe(404);
  });

  it('filters by person and action family, and pages stay stable while events arrive', async () => {
    for (let i = 0; i < 7; i++) await h.api('POST', '/api/tokens', { name: `paging ${i}` });
    const bobs = await allEvents('&person=bob');
    expect(bobs.length).toBeGreaterThan(0);
    expect(bobs.every((e) => e.actorName === 'bob')).toBe(true);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await h.api('GET', `/api/audit?action=token.&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const page = AuditPage.parse(r.json);
      expect(page.events.length).toBeLessThanOrEqual(3);
      expect(page.events.every((e) => e.action.startsWith('token.'))).toBe(true);
      seen.push(...page.events.map((e) => e.id));
      // New events between pages land before the first page, never in a later one.
      await h.api('POST', '/api/tokens', { name: `arrives ${pages}` });
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    const names = (await allEvents('&action=token.created')).filter((e) =>
      String(e.detail.name).startsWith('paging'),
    );
    expect(names).toHaveLength(7);
    expect((await h.api('GET', '/api/audit?cursor=garbage')).status).toBe(400);
    expect((await h.api('GET', '/api/audit?since=yesterday-ish')).status).toBe(400);
  });
});
