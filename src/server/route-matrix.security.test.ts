import { afterAll, beforeAll, expect, it } from 'vitest';
import { PERMISSIONS, atLeast, type Permission, type TeamRole } from './authz/index.js';
import { makeCast, runWithToken, type Cast } from '../../test/test-teams.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';

/**
 * The authorization matrix, generated from the route table: every route × every kind of caller
 * → the status its declared permission promises. Project routes are called on project `p` of
 * team `ml`, so membership decides; a project the caller may not see answers 404 exactly as
 * one that does not exist.
 */

let s: TestServer;
let cast: Cast;

/** How each caller stands: its role in `p` and team `ml`, and what its token is. */
interface Caller {
  token: () => Promise<string | null>;
  /** role in project p / team ml; null = not a member (404) */
  role: TeamRole | null;
  kind: 'anonymous' | 'invalid' | 'person' | 'admin' | 'run' | 'agent';
  scope?: 'read' | 'run' | 'live' | 'admin';
  /** Owns some team other than ml (`team:owner` routes). */
  ownsATeam?: boolean;
}
const callers: Record<string, Caller> = {};

beforeAll(async () => {
  s = await startTestServer();
  cast = await makeCast(s);
  const { user: admin } = await s.store.ensureAdmin();
  const u = cast.users;
  const fixed = (t: string | null) => async () => t;
  const expired = await s.auth.createToken(u.owner.id, 'old', {
    scope: 'admin',
    expiresAt: new Date(Date.now() - 1000).toISOString(),
  });
  const revoked = await s.auth.createToken(u.owner.id, 'gone', { scope: 'admin' });
  await s.store.revokeToken(revoked.id, u.owner.id);
  let runs = 0;
  const scoped = async (scope: 'read' | 'run' | 'live' | 'admin') =>
    (await s.auth.createToken(u.owner.id, scope, { scope })).token;
  Object.assign(callers, {
    anonymous: { token: fixed(null), role: null, kind: 'anonymous' },
    'bad token': { token: fixed('kiln_not-a-real-token-at-all'), role: null, kind: 'invalid' },
    'expired token': { token: fixed(expired.token), role: null, kind: 'invalid' },
    'revoked token': { token: fixed(revoked.token), role: null, kind: 'invalid' },
    viewer: { token: fixed(u.viewer.token), role: 'viewer', kind: 'person', scope: 'admin' },
    member: { token: fixed(u.member.token), role: 'member', kind: 'person', scope: 'admin' },
    maintainer: { token: fixed(u.maintainer.token), role: 'maintainer', kind: 'person', scope: 'admin' },
    owner: { token: fixed(u.owner.token), role: 'owner', kind: 'person', scope: 'admin' },
    "other team's owner": {
      token: fixed(u.otherOwner.token),
      role: null,
      kind: 'person',
      scope: 'admin',
      ownsATeam: true,
    },
    'instance admin': { token: fixed(s.token), role: 'owner', kind: 'admin', scope: 'admin' },
    'read token (owner)': {
      token: fixed(await scoped('read')),
      role: 'viewer',
      kind: 'person',
      scope: 'read',
    },
    'run token (owner)': { token: fixed(await scoped('run')), role: 'member', kind: 'person', scope: 'run' },
    'live token (owner)': {
      token: fixed(await scoped('live')),
      role: 'member',
      kind: 'person',
      scope: 'live',
    },
    'admin token (owner)': {
      token: fixed(await scoped('admin')),
      role: 'owner',
      kind: 'person',
      scope: 'admin',
    },
    'admin token limited to q': {
      token: fixed((await s.auth.createToken(admin.id, 'q only', { scope: 'admin', projects: ['q'] })).token),
      role: null,
      kind: 'admin',
      scope: 'admin',
    },
    // Fresh each time too: deleting project p (a permitted DELETE) ends its runs' tokens.
    "a run's token": {
      token: async () => (await runWithToken(s, 'p', `x${++runs}`, cast.head)).token,
      role: null,
      kind: 'run',
    },
    // Fresh each time: POST /api/agents/revoke ends the token that calls it.
    'agent token': {
      token: async () => (await s.auth.createToken(admin.id, 'agent', 'agent')).token,
      role: null,
      kind: 'agent',
    },
  } satisfies Record<string, Caller>);
}, 120_000);
afterAll(async () => s?.close());

type Want = 401 | 403 | 404 | 'in';

/** Routes whose own checks come on top of (or instead of) the declared permission. */
function special(url: string, c: Caller): Want | undefined {
  // Only a machine's bootstrap token, which none of these is.
  if (url === '/api/agents/exchange') return 401;
  // Public so the sign-in page asks it quietly ({user: null}); a token sent and not valid is still
  // a 401, and a machine's or a live token is no person's sign-in.
  if (url === '/api/me') {
    if (c.kind === 'invalid') return 401;
    if (c.kind === 'run' || c.kind === 'agent' || c.scope === 'live') return 403;
    return 'in';
  }
  if (url.startsWith('/api/git/')) {
    if (c.kind === 'anonymous' || c.kind === 'invalid') return 401;
    if (c.kind === 'agent' || c.kind === 'run') return 'in';
    return c.scope === 'live' || c.role === null ? 404 : 'in';
  }
  return undefined;
}

const NEEDS: Partial<Record<Permission, TeamRole>> = {
  'project:read': 'viewer',
  'project:run': 'member',
  'project:maintain': 'maintainer',
  'project:own': 'owner',
  'team:admin': 'owner',
};

function expected(permission: Permission, c: Caller, url: string): Want {
  const own = special(url, c);
  if (own !== undefined) return own;
  if (permission === 'public') return 'in';
  if (c.kind === 'anonymous' || c.kind === 'invalid') return 401;
  if (permission === 'agent') return c.kind === 'agent' ? 'in' : 403;
  if (permission === 'live') return c.kind === 'run' || (c.scope && c.scope !== 'read') ? 'in' : 403;
  if (c.kind === 'run' || c.kind === 'agent' || c.scope === 'live') return 403;
  // A team's page exists only for its members (and instance admins), like a project.
  if (permission === 'signed-in')
    return url === '/api/teams/:team' && c.kind === 'person' && c.role === null ? 404 : 'in';
  if (permission === 'instance:admin') return c.kind === 'admin' ? 'in' : 403;
  if (permission === 'team:admin' && c.kind === 'admin') return 'in';
  // Instance admins and owners of some team, with a token that may act as an owner.
  if (permission === 'team:owner')
    return c.kind === 'admin' || (c.scope === 'admin' && (c.role === 'owner' || c.ownsATeam)) ? 'in' : 403;
  if (c.role === null) return 404;
  const needed = NEEDS[permission];
  if (!needed) throw new Error(`no expectation for permission ${permission}`);
  if (permission === 'team:admin' && c.scope !== 'admin') return 403;
  return atLeast(c.role, needed) ? 'in' : 403;
}

/** The request for a route: `p` for a project, `ml` for a team, `nope` for anything else. */
function concrete(url: string): string {
  if (url.startsWith('/api/git/')) return '/api/git/p/info/refs?service=git-upload-pack';
  return url
    .replace(/^\/api\/projects\/:name/, '/api/projects/p')
    .replace(/:team\b/, 'ml')
    .replace(/:[A-Za-z]+/g, 'nope')
    .replace('*', 'nope');
}

/** The 404 of a project the caller may not see, told apart from a 404 of something under it. */
const hidden = (status: number, body: string) =>
  status === 404 && /no project named \\"p\\"|no team named \\"ml\\"/.test(body);

it('every route declares a permission the matrix knows', () => {
  const undeclared = s.routes.filter((r) => r.url.startsWith('/api/') || r.url.startsWith('/webhook/'));
  const missing = undeclared.filter((r) => !r.permission).map((r) => `${r.method} ${r.url}`);
  expect(missing).toEqual([]);
  const unknown = s.routes.filter((r) => r.permission && !PERMISSIONS.includes(r.permission as Permission));
  expect(unknown).toEqual([]);
});

it('every route of the route table answers each caller as its declared permission says', async () => {
  // A deleted project would turn the rest into 404s: deleting comes last, once per caller.
  const routes = s.routes
    .filter((r) => r.permission !== undefined)
    .sort((a, b) => Number(isDelete(a)) - Number(isDelete(b)));
  expect(routes.length).toBeGreaterThan(50);
  const unexpected: string[] = [];
  let cases = 0;
  const one = async (r: (typeof routes)[number], name: string, c: Caller) => {
    const url = concrete(r.url);
    if (isDelete(r)) await restoreP();
    const token = await c.token();
    const res = await fetch(s.url + url, {
      method: r.method,
      headers: token ? { authorization: url.startsWith('/api/git/') ? basic(token) : `token ${token}` } : {},
      signal: AbortSignal.timeout(20_000),
    }).catch((err: unknown) => ({ status: 0, text: async () => String(err) }));
    const body = await res.text().catch(() => '');
    const want = expected(r.permission as Permission, c, r.url);
    const ok =
      res.status > 0 &&
      res.status < 500 &&
      (want === 'in'
        ? res.status !== 401 && res.status !== 403 && !hidden(res.status, body)
        : want === 404
          ? hidden(res.status, body) || (r.url.startsWith('/api/git/') && res.status === 404)
          : res.status === want);
    if (!ok)
      unexpected.push(
        `${r.method} ${r.url} [${r.permission}] as ${name}: want ${want}, got ${res.status} ${body.slice(0, 120)}`,
      );
  };
  for (const r of routes) {
    const each = Object.entries(callers);
    cases += each.length;
    // Callers of one GET go together; changes go one at a time, as a person would make them.
    if (r.method !== 'GET') for (const [name, c] of each) await one(r, name, c);
    else await Promise.all(each.map(([name, c]) => one(r, name, c)));
  }
  console.log(
    `route matrix: ${routes.length} routes × ${Object.keys(callers).length} callers = ${cases} cases, ${unexpected.length} unexpected`,
  );
  expect(unexpected).toEqual([]);
}, 600_000);

function isDelete(r: { method: string; url: string }): boolean {
  return r.method === 'DELETE' && r.url === '/api/projects/:name';
}

function basic(token: string): string {
  return `Basic ${Buffer.from(`kiln:${token}`).toString('base64')}`;
}

/** Puts project `p` back in team `ml` if a permitted DELETE removed it. */
async function restoreP(): Promise<void> {
  if (await s.store.getProject('p')) return;
  await s.addProject('p', cast.repo.dir);
  await s.store.teams.setProjectTeam('p', cast.team.id);
}
