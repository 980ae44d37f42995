import { z } from 'zod';

import { TeamRole, UserName } from './teams.js';

/** Team roles, weakest first, and user names: one definition each, in the teams contract. */
export { TeamRole, UserName };

export const CreateInviteBody = z.object({
  name: UserName,
  email: z.email().max(254).optional(),
  /** Team id or name. */
  team: z.string().min(1).max(100),
  role: TeamRole,
});
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;

export const Invite = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  team: z.string(),
  teamName: z.string(),
  role: TeamRole,
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type Invite = z.infer<typeof Invite>;

/** The one time the invite link is shown: only its hash is kept. */
export const CreatedInvite = Invite.extend({ url: z.string() });
export type CreatedInvite = z.infer<typeof CreatedInvite>;

export const InviteList = z.object({ invites: z.array(Invite) });
export type InviteList = z.infer<typeof InviteList>;

export const InviteTokenBody = z.object({ token: z.string().min(1).max(200) });
export type InviteTokenBody = z.infer<typeof InviteTokenBody>;

export const SsoProviderKind = z.enum(['oidc', 'github', 'gitlab']);
export type SsoProviderKind = z.infer<typeof SsoProviderKind>;

/** What the sign-in page shows of a provider: a button. */
export const SignInProvider = z.object({ id: z.string(), kind: SsoProviderKind, displayName: z.string() });
export type SignInProvider = z.infer<typeof SignInProvider>;

export const SignInProviders = z.object({ providers: z.array(SignInProvider) });
export type SignInProviders = z.infer<typeof SignInProviders>;

/** What the invite page shows before the invitee chooses a password or SSO. */
export const InviteInfo = z.object({
  name: z.string(),
  email: z.string().nullable(),
  teamName: z.string(),
  role: TeamRole,
  expiresAt: z.string(),
  providers: z.array(SignInProvider),
});
export type InviteInfo = z.infer<typeof InviteInfo>;

export const AcceptInviteBody = InviteTokenBody.extend({ password: z.string().min(1).max(1000) });
export type AcceptInviteBody = z.infer<typeof AcceptInviteBody>;

export const PasswordLoginBody = z.object({
  name: z.string().min(1).max(254),
  password: z.string().min(1).max(1000),
});
export type PasswordLoginBody = z.infer<typeof PasswordLoginBody>;

export const StartSsoBody = z.object({
  /** The invite link's token, when an invitee chose SSO on the invite page. */
  invite: z.string().min(1).max(200).optional(),
});
export type StartSsoBody = z.infer<typeof StartSsoBody>;

/** Where to send the browser to sign in at the provider. */
export const SsoRedirect = z.object({ url: z.string() });
export type SsoRedirect = z.infer<typeof SsoRedirect>;

const ProviderId = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
const Domain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'write a domain like example.com');

/** A provider as the admin writes it; the secret is write-only (kept when omitted on update). */
export const SsoProviderBody = z.object({
  id: ProviderId,
  kind: SsoProviderKind,
  displayName: z.string().min(1).max(60),
  /** OIDC: the issuer URL (discovery at /.well-known/openid-configuration). GitHub Enterprise / self-managed GitLab: the base URL. */
  issuer: z.url().max(500).optional(),
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().min(1).max(2000).optional(),
  /** OIDC scopes asked for. */
  scopes: z.string().max(500).optional(),
  /** First sign-in allowed for verified e-mail addresses in these domains. */
  allowedDomains: z.array(Domain).max(50).default([]),
  /** First sign-in allowed for people in one of these IdP groups (OIDC). */
  allowedGroups: z.array(z.string().min(1).max(200)).max(50).default([]),
  /** The claim that lists a person's groups (OIDC). */
  groupsClaim: z.string().min(1).max(100).default('groups'),
  /** Where a person allowed by domain or group joins, and with which role. */
  team: z.string().min(1).max(100).default('default'),
  role: TeamRole.default('member'),
});
export type SsoProviderBody = z.infer<typeof SsoProviderBody>;

export const SsoProvider = SsoProviderBody.omit({ clientSecret: true }).extend({
  hasSecret: z.boolean(),
  /** The URL to register at the provider as the redirect/callback URL. */
  callbackUrl: z.string(),
});
export type SsoProvider = z.infer<typeof SsoProvider>;

export const SsoProviderList = z.object({ providers: z.array(SsoProvider) });
export type SsoProviderList = z.infer<typeof SsoProviderList>;
