import { z } from 'zod';
import { Me } from '../../src/contracts/api.js';
import {
  CreatedInvite,
  InviteInfo,
  InviteList,
  SignInProviders,
  SsoProvider,
  SsoProviderList,
  SsoRedirect,
  type CreateInviteBody,
  type SsoProviderBody,
} from '../../src/contracts/identity.js';
import { request } from './api.js';

const Ignored = z.unknown();

/** Invites, password and SSO sign-in, sign-in providers. */
export const identityApi = {
  providers: () => request('GET', '/api/auth/providers', SignInProviders),
  /** Where to send the browser for an SSO sign-in (the state travels in a cookie). */
  startSso: (id: string, invite?: string) =>
    request('POST', `/api/auth/sso/${encodeURIComponent(id)}/start`, SsoRedirect, invite ? { invite } : {}),
  openInvite: (token: string) => request('POST', '/api/invite/open', InviteInfo, { token }),
  acceptInvite: (token: string, password: string) =>
    request('POST', '/api/invite/accept', Me, { token, password }),
  invites: () => request('GET', '/api/invites', InviteList),
  createInvite: (body: CreateInviteBody) => request('POST', '/api/invites', CreatedInvite, body),
  revokeInvite: (id: string) => request('DELETE', `/api/invites/${encodeURIComponent(id)}`, Ignored),
  ssoProviders: () => request('GET', '/api/sso-providers', SsoProviderList),
  putSsoProvider: (body: SsoProviderBody) =>
    request('PUT', `/api/sso-providers/${encodeURIComponent(body.id)}`, SsoProvider, body),
  deleteSsoProvider: (id: string) =>
    request('DELETE', `/api/sso-providers/${encodeURIComponent(id)}`, Ignored),
};
