import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPage } from '../../contracts/audit.js';
import { DeviceLoginRequest, DeviceLoginStarted } from '../../contracts/device-login.js';
import type { Database } from '../../store/schema.js';
import { post, waitFetched } from '../../../test/live-test-kit.js';
import { TestRepo } from '../../../test/test-repo.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

let s: TestServer;
let repo: TestRepo;
let head = '';

beforeAll(async () => {
  s = await startTestServer();
  repo = new TestRepo();
  repo.write('params.yaml', 'lr: 0.1\n');
  head = repo.commit('first');
  expect((await s.api('POST', '/api/projects', { name: 'p', source: repo.dir })).status).toBe(201);
  await waitFetched(s, 'p');
});
afterAll(async () => s?.close());

/** `urljoin(hostname, "api/device-login")` and a JSON body, as `start_device_login` sends it. */
async function startDeviceLogin(body: Record<string, unknown>) {
  const res = await fetch(new URL('api/device-login', s.url).toString(), {
    method: 'POST',
    headers: { 'Content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

/** One poll of `check_token_authorization`: `{"code": device_code}` to token_uri, no credentials. */
async function poll(tokenUri: string, deviceCode: string) {
  const res = await fetch(tokenUri, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: deviceCode }),
    redirect: 'manual',
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const liveStart = (name: string) => ({
  type: 'start',
  repo_url: `file://${repo.dir}/.git`,
  baseline_sha: head,
  name,
  client: 'dvclive',
});

describe('dvc-studio-client device login (start_device_login, check_token_authorization) against Kiln', () => {
  it('approve: pending until a signed-in person approves, then a live token that posts metrics and cannot read the table', async () => {
    // `dvc studio login` sends client_name "DVC" and its scopes; token_name when --name is given.
    const started = await startDeviceLogin({
      client_name: 'DVC',
      token_name: 'laptop',
      scopes: ['EXPERIMENTS'],
    });
    expect(started.status).toBe(200);
    const d = DeviceLoginStarted.parse(started.json);
    expect(d).toMatchObject({ token_name: 'laptop', token_uri: `${s.url}/api/device-login/token` });
    expect(d.verification_uri).toBe(`${s.url}/device-login`);
    expect(d.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);

    // The client loops while status 400 and detail "authorization_pending".
    const first = await poll(d.token_uri, d.device_code);
    expect(first.status).toBe(400);
    expect(first.json.detail).toBe('authorization_pending');
    // Faster than the client's 5 s: told to slow down.
    const fast = await poll(d.token_uri, d.device_code);
    expect(fast.status).toBe(429);
    expect(fast.json.detail).toBe('slow_down');

    // The approval page (verification_uri?code=USER_CODE) shows who asks and for what; the code
    // may be typed in lower case without the dash.
    const typed = d.user_code.replace('-', '').toLowerCase();
    const shown = await s.api('GET', `/api/device-login/request?code=${typed}`);
    expect(shown.status, JSON.stringify(shown.json)).toBe(200);
    expect(DeviceLoginRequest.parse(shown.json)).toMatchObject({
      client_name: 'DVC',
      token_name: 'laptop',
      scopes: ['EXPERIMENTS'],
      scope: 'live',
    });
    const approved = await s.api('POST', '/api/device-login/approve', { user_code: d.user_code });
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    // A second approval of the same code finds nothing pending.
    expect((await s.api('POST', '/api/device-login/approve', { user_code: d.user_code })).status).toBe(404);

    const got = await poll(d.token_uri, d.device_code);
    expect(got.status, JSON.stringify(got.json)).toBe(200);
    const token = String(got.json.access_token);
    expect(token).toMatch(/^kiln_/);
    // The device code works once and is gone.
    const again = await poll(d.token_uri, d.device_code);
    expect([again.status, again.json.detail]).toEqual([400, 'authorization_expired']);
    const db = (s.store as unknown as { db: Kysely<Database> }).db;
    expect(await db.selectFrom('device_codes').selectAll().execute()).toEqual([]);

    // DVCLive posts with it; the same token cannot read the table or make another token.
    const live = await post(s, '/api/live', liveStart('from-device-login'), token);
    expect(live.status, JSON.stringify(live.json)).toBe(200);
    const table = await s.api('GET', '/api/projects/p/table', undefined, { authorization: `token ${token}` });
    expect(table.status).toBe(403);
    const minted = await s.api('POST', '/api/tokens', { name: 'x' }, { authorization: `token ${token}` });
    expect(minted.status).toBe(403);

    // The audit trail names who approved and the token it made (never the token itself).
    const events = AuditPage.parse((await s.api('GET', '/api/audit?limit=500')).json).events;
    expect(events.find((e) => e.action === 'device.approved')).toMatchObject({
      actorName: 'admin',
      target: d.user_code,
      detail: { client: 'DVC', scope: 'live' },
    });
    expect(events.find((e) => e.action === 'token.created' && e.detail.via === 'device-login')).toMatchObject(
      {
        actorName: 'admin',
        detail: { client: 'DVC', name: 'laptop', scope: 'live' },
      },
    );
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(d.device_code);
  });

  it('deny: the client gets an error, not a token, and the code is gone', async () => {
    const d = DeviceLoginStarted.parse((await startDeviceLogin({ client_name: 'DVC' })).json);
    // No token_name: the server names one.
    expect(d.token_name).toMatch(/^DVC-/);
    expect((await s.api('POST', '/api/device-login/deny', { user_code: d.user_code })).status).toBe(200);
    const denied = await poll(d.token_uri, d.device_code);
    expect(denied.status).toBe(400);
    expect(denied.json.detail).toBe('authorization_denied');
    expect(denied.json).not.toHaveProperty('access_token');
    expect((await s.api('POST', '/api/device-login/approve', { user_code: d.user_code })).status).toBe(404);
  });

  it('expired: authorization_expired, which the client raises as AuthorizationExpiredError; cannot be approved', async () => {
    const d = DeviceLoginStarted.parse(
      (await startDeviceLogin({ client_name: 'DVC', scopes: ['live'] })).json,
    );
    expect(d.expires_in).toBe(900);
    const db = (s.store as unknown as { db: Kysely<Database> }).db;
    await db
      .updateTable('device_codes')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('user_code', '=', d.user_code)
      .execute();
    const approve = await s.api('POST', '/api/device-login/approve', { user_code: d.user_code });
    expect(approve.status).toBe(404);
    expect(JSON.stringify(approve.json)).toContain('start the login again');
    const expired = await poll(d.token_uri, d.device_code);
    expect([expired.status, expired.json.detail]).toEqual([400, 'authorization_expired']);
    expect(
      await db.selectFrom('device_codes').selectAll().where('user_code', '=', d.user_code).execute(),
    ).toEqual([]);
  });

  it('refuses what the client would not send, and approval needs a person, not a live token', async () => {
    const bad = await startDeviceLogin({ client_name: 'DVC', scopes: ['EVERYTHING'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('unknown scopes: EVERYTHING');
    expect((await startDeviceLogin({ scopes: ['EXPERIMENTS'] })).status).toBe(400);
    expect((await poll(`${s.url}/api/device-login/token`, 'made-up')).json.detail).toBe(
      'authorization_expired',
    );

    const d = DeviceLoginStarted.parse((await startDeviceLogin({ client_name: 'DVC' })).json);
    const { token: liveToken } = await s.auth.createToken(
      (await s.store.ensureAdmin()).user.id,
      'live',
      'live',
    );
    const byLive = await s.api(
      'POST',
      '/api/device-login/approve',
      { user_code: d.user_code },
      {
        authorization: `token ${liveToken}`,
      },
    );
    expect(byLive.status).toBe(403);
    const anonymous = await fetch(`${s.url}/api/device-login/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_code: d.user_code }),
    });
    expect(anonymous.status).toBe(401);
  });
});
