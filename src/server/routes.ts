import { z } from 'zod';
import {
  CreateProjectBody,
  CreateTokenBody,
  LoginBody,
  ProjectName,
  TableQuery,
  UpdateProjectBody,
  type CreatedToken,
  type Me,
} from '../contracts/api.js';
import { ApiFailure } from './api-error.js';
import { SESSION_COOKIE, type Auth, type Authenticator } from './auth.js';
import type { makeRoute } from './route.js';
import type { ProjectService } from './projects/project-service.js';
import type { Store } from '../store/port.js';
import { sha256 } from './secrets.js';
import { packTablePage } from './table/packed-page.js';
import type { PasswordSignIn } from './identity/routes.js';

const ProjectParams = z.object({ name: ProjectName });
const TokenParams = z.object({ id: z.string().min(1).max(100) });

function me(auth: Auth | null): Me {
  if (!auth) throw new ApiFailure('unauthorized', 'not logged in');
  return { user: auth.user.name, role: auth.role };
}

export function registerRoutes(
  route: ReturnType<typeof makeRoute>,
  deps: {
    store: Store;
    auth: Authenticator;
    projects: ProjectService;
    version: string;
    /** Name + password sign-in (identity/password-login.ts). */
    passwordSignIn?: PasswordSignIn;
  },
): void {
  const { store, auth, projects } = deps;

  route({ method: 'GET', url: '/api/health', auth: 'public' }, async () => ({
    ok: true,
    version: deps.version,
  }));

  route(
    { method: 'POST', url: '/api/auth/login', auth: 'public', body: LoginBody },
    async ({ body, req, reply }) => {
      let user = null;
      if ('code' in body) user = await store.consumeLoginCode(sha256(body.code), new Date().toISOString());
      else if ('password' in body)
        user = (await deps.passwordSignIn?.(body.name, body.password, req)) ?? null;
      else {
        const found = await store.findToken(sha256(body.token));
        user = found && found.token.scope === 'user' ? found.user : null;
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

  route({ method: 'POST', url: '/api/auth/logout', auth: 'public' }, async ({ req, reply }) => {
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie) await store.deleteSession(sha256(cookie));
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return undefined;
  });

  route({ method: 'GET', url: '/api/me', auth: 'user' }, async ({ auth: a }) => me(a));

  route({ method: 'GET', url: '/api/tokens', auth: 'user' }, async ({ auth: a }) => ({
    tokens: await store.listTokens(mustAuth(a).user.id),
  }));

  route(
    { method: 'POST', url: '/api/tokens', auth: 'user', body: CreateTokenBody, status: 201 },
    async ({ body, auth: a }) => {
      const t = await auth.createToken(mustAuth(a).user.id, body.name);
      return {
        id: t.id,
        name: t.name,
        createdAt: t.createdAt,
        lastUsedAt: t.lastUsedAt,
        scope: t.scope,
        token: t.token,
      } satisfies CreatedToken;
    },
  );

  route(
    { method: 'DELETE', url: '/api/tokens/:id', auth: 'user', params: TokenParams },
    async ({ params, auth: a }) => {
      if (!(await store.revokeToken(params.id, mustAuth(a).user.id)))
        throw new ApiFailure('not_found', 'no such token');
      return undefined;
    },
  );

  route({ method: 'GET', url: '/api/projects', auth: 'user' }, async () => ({
    projects: await projects.list(),
  }));

  route(
    { method: 'POST', url: '/api/projects', auth: 'user', body: CreateProjectBody, status: 201 },
    async ({ body }) => projects.create(body),
  );

  route(
    { method: 'GET', url: '/api/projects/:name', auth: 'user', params: ProjectParams },
    async ({ params }) => projects.get(params.name),
  );

  route(
    {
      method: 'PATCH',
      url: '/api/projects/:name',
      auth: 'user',
      params: ProjectParams,
      body: UpdateProjectBody,
    },
    async ({ params, body }) => projects.update(params.name, body),
  );

  route(
    { method: 'DELETE', url: '/api/projects/:name', auth: 'user', params: ProjectParams },
    async ({ params }) => {
      await projects.remove(params.name);
      return undefined;
    },
  );

  route(
    { method: 'POST', url: '/api/projects/:name/reload', auth: 'user', params: ProjectParams },
    async ({ params }) => projects.reload(params.name),
  );

  route(
    {
      method: 'GET',
      url: '/api/projects/:name/table',
      auth: 'user',
      params: ProjectParams,
      query: TableQuery,
    },
    async ({ params, query }) => {
      const page = await projects.table(params.name, query.all, query.offset, query.limit);
      return query.format === 'columns' ? packTablePage(page) : page;
    },
  );
}

function mustAuth(a: Auth | null): Auth {
  if (!a) throw new ApiFailure('unauthorized', 'not logged in');
  return a;
}
