import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CreateProjectBody,
  CreateTokenBody,
  LoginBody,
  ProjectName,
  TableQuery,
  UpdateProjectBody,
  type AccessToken,
  type CreatedToken,
  type Me,
  type MeAnswer,
} from '../contracts/api.js';
import { DEFAULT_TEAM_ID } from '../store/migration-007-teams.js';
import type { ScopedTokenRecord } from '../store/teams-port.js';
import { accessInfo } from './authz/access-info.js';
import { atLeast, personalScope, projectAccess, projectNotFound } from './authz/index.js';
import { ApiFailure } from './api-error.js';
import { SESSION_COOKIE, type Auth, type Authenticator } from './auth.js';
import type { makeRoute } from './route.js';
import type { EventBus } from './event-bus.js';
import type { ProjectService } from './projects/project-service.js';
import type { TableService } from './table/table-service.js';
import type { Store } from '../store/port.js';
import { sha256 } from './secrets.js';
import { packTablePage } from './table/packed-page.js';
import type { PasswordSignIn } from './identity/routes.js';

const ProjectParams = z.object({ name: ProjectName });
const TokenParams = z.object({ id: z.string().min(1).max(100) });

/**
 * Who is calling. Nobody (no credentials, or a session cookie that ended) is an answer, not a
 * failure: `{user: null}`. A token that was sent but is not valid is a 401, so a script learns its
 * token is wrong; a machine's or a live token is not a person's sign-in (403, as before).
 */
async function me(store: Store, auth: Auth | null, req: FastifyRequest): Promise<MeAnswer> {
  if (!auth) {
    if (req.headers.authorization)
      throw new ApiFailure('unauthorized', 'that access token is invalid, expired or revoked');
    return { user: null };
  }
  const scope = personalScope(auth.scope);
  if (scope === null) throw new ApiFailure('forbidden', `a ${auth.scope} token cannot call this route`);
  if (scope === 'live')
    throw new ApiFailure('forbidden', 'a live token can only post live metrics (POST /api/live)');
  return { user: auth.user.name, role: auth.role, teams: await store.teams.teamsOf(auth.user.id) };
}

export function registerRoutes(
  route: ReturnType<typeof makeRoute>,
  deps: {
    store: Store;
    auth: Authenticator;
    projects: ProjectService;
    tables: TableService;
    version: string;
    /** Name + password sign-in (identity/password-login.ts). */
    passwordSignIn?: PasswordSignIn;
    /** Tells every server's event streams that access changed. */
    bus?: EventBus;
  },
): void {
  const { store, auth, projects, tables } = deps;

  route({ method: 'GET', url: '/api/health', permission: 'public' }, async () => ({
    ok: true,
    version: deps.version,
  }));

  route(
    { method: 'POST', url: '/api/auth/login', permission: 'public', body: LoginBody },
    async ({ body, req, reply }) => {
      let user = null;
      if ('code' in body) user = await store.consumeLoginCode(sha256(body.code), new Date().toISOString());
      else if ('password' in body)
        user = (await deps.passwordSignIn?.(body.name, body.password, req)) ?? null;
      else {
        // Only a token with its owner's full access signs in a browser, never a narrower one.
        const found = await auth.byToken(body.token);
        user = found && personalScope(found.scope) === 'admin' && !found.projects ? found.user : null;
      }
      if (!user)
        throw new ApiFailure('unauthorized', 'that login link or token is invalid, expired or already used');
      const session = await auth.createSession(user.id);
      void reply.setCookie(SESSION_COOKIE, session.id, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        maxAge: session.maxAgeSec,
      });
      return { user: user.name, role: user.role } satisfies Me;
    },
  );

  route({ method: 'POST', url: '/api/auth/logout', permission: 'public' }, async ({ req, reply }) => {
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie) await store.deleteSession(sha256(cookie));
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return undefined;
  });

  // Public: the sign-in page asks it before anyone signed in (see me()).
  route({ method: 'GET', url: '/api/me', permission: 'public' }, async ({ auth: a, req }) =>
    me(store, a, req),
  );

  route({ method: 'GET', url: '/api/tokens', permission: 'signed-in' }, async ({ auth: a }) => ({
    tokens: (await store.teams.listTokens(mustAuth(a).user.id)).map(presentToken),
  }));

  route(
    { method: 'POST', url: '/api/tokens', permission: 'signed-in', body: CreateTokenBody, status: 201 },
    async ({ body, auth: a }) => {
      const who = mustAuth(a);
      const scope = body.scope ?? 'admin';
      // A token never makes a wider one: a read token cannot mint an admin token.
      const mine = personalScope(who.scope);
      if (mine !== 'admin' && scope !== mine && !(mine === 'run' && (scope === 'read' || scope === 'live')))
        throw new ApiFailure('forbidden', `a ${who.scope} token cannot create a ${scope} token`);
      const projects = body.projects ?? who.projects ?? null;
      for (const p of projects ?? [])
        if (!(await projectAccess(store, who, p))) throw new ApiFailure('not_found', projectNotFound(p));
      const t = await auth.createToken(who.user.id, body.name, {
        scope,
        projects,
        expiresAt: body.expiresInDays
          ? new Date(Date.now() + body.expiresInDays * 86_400_000).toISOString()
          : null,
      });
      return { ...presentToken(t), token: t.token } satisfies CreatedToken;
    },
  );

  route(
    { method: 'DELETE', url: '/api/tokens/:id', permission: 'signed-in', params: TokenParams },
    async ({ params, auth: a }) => {
      if (!(await store.revokeToken(params.id, mustAuth(a).user.id)))
        throw new ApiFailure('not_found', 'no such token');
      deps.bus?.publish({ type: 'access.changed', project: '*', tokenId: params.id });
      return undefined;
    },
  );

  // Only the caller's projects: one they are no member of does not exist for them.
  route({ method: 'GET', url: '/api/projects', permission: 'signed-in' }, async ({ auth: a }) => {
    const who = mustAuth(a);
    const all = await projects.list();
    const out = [];
    for (const p of all) {
      const access = await projectAccess(store, who, p.name);
      if (access) out.push({ ...tables.describe(p), access: accessInfo(access) });
    }
    return { projects: out };
  });

  route(
    { method: 'POST', url: '/api/projects', permission: 'signed-in', body: CreateProjectBody, status: 201 },
    async ({ body, auth: a }) => {
      const teamId = await teamForNewProject(store, mustAuth(a), body.team);
      const p = tables.describe(await projects.create(body, teamId));
      const access = await projectAccess(store, mustAuth(a), p.name);
      return access ? { ...p, access: accessInfo(access) } : p;
    },
  );

  route(
    { method: 'GET', url: '/api/projects/:name', permission: 'project:read', params: ProjectParams },
    async ({ params, access }) => ({
      ...tables.describe(await projects.get(params.name)),
      ...(access ? { access: accessInfo(access) } : {}),
    }),
  );

  route(
    {
      method: 'PATCH',
      url: '/api/projects/:name',
      permission: 'project:maintain',
      params: ProjectParams,
      body: UpdateProjectBody,
    },
    async ({ params, body }) => tables.describe(await projects.update(params.name, body)),
  );

  route(
    { method: 'DELETE', url: '/api/projects/:name', permission: 'project:own', params: ProjectParams },
    async ({ params }) => {
      await projects.remove(params.name);
      deps.bus?.publish({ type: 'access.changed', project: params.name, tokenId: null });
      return undefined;
    },
  );

  route(
    { method: 'POST', url: '/api/projects/:name/reload', permission: 'project:read', params: ProjectParams },
    async ({ params }) => tables.describe(await projects.reload(params.name)),
  );

  route(
    {
      method: 'GET',
      url: '/api/projects/:name/table',
      permission: 'project:read',
      params: ProjectParams,
      query: TableQuery,
    },
    async ({ params, query }) => {
      const page = await tables.table(params.name, query.all, query.offset, query.limit);
      return query.format === 'columns' ? packTablePage(page) : page;
    },
  );
}

function presentToken(t: ScopedTokenRecord): AccessToken {
  return {
    id: t.id,
    name: t.name,
    // Tokens made before scopes existed act with their owner's full access.
    scope: t.scope === 'user' ? 'admin' : t.scope,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    projects: t.projects,
    expiresAt: t.expiresAt,
  };
}

/**
 * The team a new project goes to: the named one, where the caller must be a maintainer or
 * owner (or an instance admin); without a name, the default team, which takes only admins'
 * and the default team's maintainers' projects.
 */
async function teamForNewProject(store: Store, who: Auth, name: string | undefined): Promise<string> {
  const team = await store.teams.getTeam(name ?? DEFAULT_TEAM_ID);
  const mine = team ? (await store.teams.teamsOf(who.user.id)).find((t) => t.id === team.id) : undefined;
  if (!team || (!mine && who.role !== 'admin'))
    throw new ApiFailure('not_found', `no team named "${name ?? DEFAULT_TEAM_ID}"`);
  const role = who.role === 'admin' ? 'owner' : (mine?.role ?? 'viewer');
  if (personalScope(who.scope) !== 'admin' || !atLeast(role, 'maintainer'))
    throw new ApiFailure(
      'forbidden',
      `only maintainers and owners of team ${team.name} can add projects to it`,
      personalScope(who.scope) !== 'admin' ? `a ${who.scope} token cannot add projects` : undefined,
    );
  return team.id;
}

function mustAuth(a: Auth | null): Auth {
  if (!a) throw new ApiFailure('unauthorized', 'not logged in');
  return a;
}
