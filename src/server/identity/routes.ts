import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Me } from '../../contracts/api.js';
import {
  AcceptInviteBody,
  CreateInviteBody,
  InviteTokenBody,
  SsoProviderBody,
  StartSsoBody,
  type CreatedInvite,
  type InviteInfo,
  type InviteList,
  type SignInProviders,
  type SsoProviderList,
  type SsoRedirect,
} from '../../contracts/identity.js';
import type { Store } from '../../store/port.js';
import type { Authenticator } from '../auth.js';
import type { makeRoute } from '../route.js';
import type { SecretBox } from '../secrets.js';
import { audit } from './audit.js';
import { InviteService } from './invites.js';
import { PasswordLogin } from './password-login.js';
import { startSession } from './session.js';
import { SsoFlow } from './sso-flow.js';
import { SsoProviders } from './sso-providers.js';

const IdParams = z.object({ id: z.string().min(1).max(100) });
const ProviderParams = z.object({ id: z.string().min(1).max(40) });

export interface IdentityDeps {
  store: Store;
  auth: Authenticator;
  box: SecretBox;
  /** KILN_PUBLIC_URL when set; else links are made from the request's own host. */
  publicUrl?: string;
}

/** What the main login route needs from here: name + password sign-in. */
export type PasswordSignIn = PasswordLogin['signIn'];

/** Invites, passwords and SSO: the routes, and the password sign-in the login route calls. */
export function registerIdentity(
  route: ReturnType<typeof makeRoute>,
  deps: IdentityDeps,
): { passwordSignIn: PasswordSignIn } {
  const { store, auth } = deps;
  const invites = new InviteService(store);
  const providers = new SsoProviders(store, deps.box);
  const flow = new SsoFlow(store, deps.box, providers, invites);
  const passwords = new PasswordLogin(store);
  const baseUrl = (req: FastifyRequest) =>
    deps.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;

  route(
    { method: 'POST', url: '/api/invites', permission: 'team:owner', body: CreateInviteBody, status: 201 },
    async ({ body, auth: a, req }): Promise<CreatedInvite> => {
      const made = await invites.create(a, body, baseUrl(req));
      await audit(store, {
        action: 'invite.created',
        req,
        target: made.name,
        detail: { team: made.teamName, role: made.role },
      });
      return made;
    },
  );

  // Anyone signed in may ask (Settings shows the section to all): the list holds only the
  // invites of teams the caller owns, every one for an instance admin, none for others.
  route(
    { method: 'GET', url: '/api/invites', permission: 'signed-in' },
    async ({ auth: a }): Promise<InviteList> => ({
      invites: await invites.pending(a),
    }),
  );

  route(
    { method: 'DELETE', url: '/api/invites/:id', permission: 'team:owner', params: IdParams },
    async ({ params, auth: a, req }) => {
      const rec = await invites.revoke(a, params.id);
      await audit(store, { action: 'invite.revoked', req, target: rec.name, detail: { team: rec.teamName } });
      return undefined;
    },
  );

  // The invite link's token travels in bodies, never in a URL a log could keep.
  route(
    { method: 'POST', url: '/api/invite/open', permission: 'public', body: InviteTokenBody },
    async ({ body }): Promise<InviteInfo> =>
      invites.info(await invites.open(body.token), await providers.buttons()),
  );

  route(
    { method: 'POST', url: '/api/invite/accept', permission: 'public', body: AcceptInviteBody },
    async ({ body, req, reply }): Promise<Me> => {
      const { user, invite } = await invites.acceptWithPassword(body.token, body.password);
      await startSession(auth, reply, user.id);
      await audit(store, {
        action: 'invite.accepted',
        actor: { id: user.id, name: user.name, kind: 'session' },
        req,
        target: user.name,
        detail: { team: invite.teamName, role: invite.role, method: 'password' },
      });
      return { user: user.name, role: user.role };
    },
  );

  route(
    { method: 'GET', url: '/api/auth/providers', permission: 'public' },
    async (): Promise<SignInProviders> => ({
      providers: await providers.buttons(),
    }),
  );

  route(
    {
      method: 'POST',
      url: '/api/auth/sso/:id/start',
      permission: 'public',
      params: ProviderParams,
      body: StartSsoBody,
    },
    async ({ params, body, req, reply }): Promise<SsoRedirect> => ({
      url: await flow.start(params.id, body.invite ?? null, baseUrl(req), reply),
    }),
  );

  route(
    { method: 'GET', url: '/api/auth/sso/:id/callback', permission: 'public', params: ProviderParams },
    async ({ params, req, reply }) => {
      const done = await flow.finish(params.id, req, reply, baseUrl(req));
      if (!done.ok) return reply.redirect(`/login?error=${encodeURIComponent(done.message)}`, 303);
      await startSession(auth, reply, done.user.id);
      return reply.redirect('/', 303);
    },
  );

  route(
    { method: 'GET', url: '/api/sso-providers', permission: 'instance:admin' },
    async ({ req }): Promise<SsoProviderList> => ({
      providers: await providers.list(baseUrl(req)),
    }),
  );

  route(
    {
      method: 'PUT',
      url: '/api/sso-providers/:id',
      permission: 'instance:admin',
      params: ProviderParams,
      body: SsoProviderBody,
    },
    async ({ params, body, req }) => {
      if (params.id !== body.id) return providers.put({ ...body, id: params.id }, baseUrl(req));
      return providers.put(body, baseUrl(req));
    },
  );

  route(
    { method: 'DELETE', url: '/api/sso-providers/:id', permission: 'instance:admin', params: ProviderParams },
    async ({ params }) => {
      await providers.remove(params.id);
      return undefined;
    },
  );

  return { passwordSignIn: (name, password, req) => passwords.signIn(name, password, req) };
}
