import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { TestRepo } from '../../test/test-repo.js';

const ENTRY = ['--import', 'tsx', path.resolve(import.meta.dirname, 'main.ts')];

function kiln(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [...ENTRY, ...args],
      { env: { ...process.env, KILN_URL: '', KILN_TOKEN: '', KILN_DATABASE_URL: '', ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

let s: TestServer;
let repo: TestRepo;
beforeAll(async () => {
  s = await startTestServer();
  repo = new TestRepo();
  repo.write('params.yaml', 'lr: 1\n').commit('first');
}, 60_000);
afterAll(async () => s?.close());

it('an operator makes a team, a person in it and their token; the person sees only the team’s projects', async () => {
  const admin = { KILN_URL: s.url, KILN_TOKEN: s.token };
  expect((await kiln(['team', 'add', 'vision'], admin)).code).toBe(0);
  const made = await kiln([
    'admin',
    'user',
    'vera',
    '--home',
    s.home,
    '--team',
    'vision',
    '--role',
    'member',
  ]);
  expect(made.stdout).toContain('vera is member of team vision');
  expect((await kiln(['project', 'add', 'cats', repo.dir, '--team', 'vision'], admin)).code).toBe(0);
  expect((await kiln(['project', 'add', 'dogs', repo.dir], admin)).code).toBe(0);

  const tok = await kiln(['admin', 'token', '--home', s.home, '--user', 'vera', '--scope', 'admin']);
  expect(tok.code).toBe(0);
  const vera = { KILN_URL: s.url, KILN_TOKEN: tok.stdout.trim() };
  const list = JSON.parse((await kiln(['project', 'list', '--json'], vera)).stdout) as Array<{
    name: string;
  }>;
  expect(list.map((p) => p.name)).toEqual(['cats']);
  const teams = JSON.parse((await kiln(['team', 'list', '--json'], vera)).stdout) as Array<{
    name: string;
    role: string;
  }>;
  expect(teams).toEqual([expect.objectContaining({ name: 'vision', role: 'member' })]);

  // A member manages no members; the owner (the admin who made the team) does.
  const refused = await kiln(['member', 'set', 'vision', 'vera', 'owner'], vera);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('only an owner of team vision');
  expect((await kiln(['member', 'set', 'vision', 'vera', 'viewer'], admin)).stdout).toContain(
    'vera is viewer of team vision',
  );
  const asViewer = await kiln(['exp', 'run', 'cats', '--rev', 'main'], vera);
  expect(asViewer.stderr).toContain('viewers cannot run experiments — ask a maintainer of team vision');
});

it('tokens: created with a scope, projects and expiry, printed once, listed without the secret, revoked', async () => {
  const admin = { KILN_URL: s.url, KILN_TOKEN: s.token };
  const made = await kiln(
    ['token', 'create', '--scope', 'live', '--project', 'cats', '--expires', '30', '--name', 'dvclive'],
    admin,
  );
  expect(made.code).toBe(0);
  const secret = made.stdout.trim();
  expect(secret).toMatch(/^kiln_/);
  const listed = JSON.parse((await kiln(['token', 'list', '--json'], admin)).stdout) as Array<
    Record<string, unknown>
  >;
  const mine = listed.find((t) => t.name === 'dvclive');
  expect(mine).toMatchObject({
    scope: 'live',
    createdAt: expect.any(String),
    lastUsedAt: null,
    projects: ['cats'],
  });
  expect(JSON.stringify(listed)).not.toContain(secret);
  // A live token posts live metrics only: not even a project list.
  const live = await kiln(['project', 'list'], { KILN_URL: s.url, KILN_TOKEN: secret });
  expect(live.stderr).toContain('a live token can only post live metrics');
  expect((await kiln(['token', 'revoke', String(mine?.id)], admin)).code).toBe(0);
  const after = await kiln(['project', 'list'], { KILN_URL: s.url, KILN_TOKEN: secret });
  expect(after.code).toBe(1);
  expect(after.stderr).toMatch(/log in or send/);
  const bad = await kiln(['token', 'create', '--scope', 'root'], admin);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--scope must be read, run, live or admin');
});

it('kiln team delete: a team that holds projects is refused with their names; its owner deletes it once empty, and the audit trail says who', async () => {
  const admin = { KILN_URL: s.url, KILN_TOKEN: s.token };
  expect((await kiln(['team', 'add', 'scratch'], admin)).code).toBe(0);
  expect((await kiln(['project', 'add', 'tmp', repo.dir, '--team', 'scratch'], admin)).code).toBe(0);
  expect(
    (await kiln(['admin', 'user', 'sam', '--home', s.home, '--team', 'scratch', '--role', 'owner'])).code,
  ).toBe(0);
  expect(
    (await kiln(['admin', 'user', 'mo', '--home', s.home, '--team', 'scratch', '--role', 'maintainer'])).code,
  ).toBe(0);
  const tokenOf = async (user: string) =>
    (await kiln(['admin', 'token', '--home', s.home, '--user', user, '--scope', 'admin'])).stdout.trim();
  const sam = { KILN_URL: s.url, KILN_TOKEN: await tokenOf('sam') };
  const mo = { KILN_URL: s.url, KILN_TOKEN: await tokenOf('mo') };

  const held = await kiln(['team', 'delete', 'scratch'], sam);
  expect(held.code).toBe(1);
  expect(held.stderr).toContain('team scratch still holds project tmp');
  expect((await s.api('GET', '/api/projects/tmp')).status).toBe(200);

  expect((await s.api('DELETE', '/api/projects/tmp')).status).toBe(204);
  const notOwner = await kiln(['team', 'delete', 'scratch'], mo);
  expect(notOwner.code).toBe(1);
  expect(notOwner.stderr).toContain('only an owner of team scratch');
  const gone = await kiln(['team', 'delete', 'scratch'], sam);
  expect(gone.code, gone.stderr).toBe(0);
  expect(gone.stdout).toContain('team scratch deleted');
  const teams = JSON.parse((await kiln(['team', 'list', '--json'], admin)).stdout) as Array<{ name: string }>;
  expect(teams.map((t) => t.name)).not.toContain('scratch');
  // Its people stay, in no team: sam's token still works but sees no team.
  expect(JSON.parse((await kiln(['team', 'list', '--json'], sam)).stdout)).toEqual([]);
  expect((await kiln(['team', 'delete', 'scratch'], sam)).stderr).toContain('no team named "scratch"');

  const def = await kiln(['team', 'delete', 'default'], admin);
  expect(def.code).toBe(1);
  expect(def.stderr).toContain('team default cannot be deleted');

  const audit = (await s.api('GET', '/api/audit?action=team.deleted')).json as {
    events: Array<{ actorName: string; target: string; outcome: string }>;
  };
  expect(audit.events).toContainEqual(
    expect.objectContaining({ actorName: 'sam', target: 'scratch', outcome: 'ok' }),
  );
});
