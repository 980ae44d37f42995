import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SignInUser } from '../../store/kysely-identity.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { SecretBox } from '../secrets.js';
import { audit } from './audit.js';
import { SignInRefused, userForSignIn, type ExternalPerson } from './first-login.js';
import type { InviteService } from './invites.js';
import { oauthAuthorizationUrl, oauthPerson } from './oauth.js';
import { oidcAuthorizationUrl, oidcPerson } from './oidc.js';
import { callbackUrl, type SsoProviders } from './sso-providers.js';

/** The browser's round trip to the provider carries these, sealed, in a cookie of its own. */
export const FLOW_COOKIE = 'kiln_sso';
const FLOW_TTL_SEC = 10 * 60;

const Flow = z.object({
  provider: z.string(),
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  invite: z.string().nullable(),
  expires: z.number(),
});
type Flow = z.infer<typeof Flow>;

/** Where a finished sign-in lands: home, or the sign-in page with the reason. */
export type FlowOutcome = { ok: true; user: SignInUser } | { ok: false; message: string };

export class SsoFlow {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly providers: SsoProviders,
    private readonly invites: InviteService,
  ) {}

  /** The provider's sign-in URL; the state, nonce and PKCE verifier go in a sealed cookie. */
  async start(
    providerId: string,
    invite: string | null,
    baseUrl: string,
    reply: FastifyReply,
  ): Promise<string> {
    const p = await this.providers.resolve(providerId);
    // An invite is checked now, so a dead link is refused before the trip to the provider.
    if (invite) await this.invites.open(invite);
    const redirect = callbackUrl(baseUrl, p.id);
    const { url, checks } =
      p.kind === 'oidc' ? await oidcAuthorizationUrl(p, redirect) : oauthAuthorizationUrl(p, redirect);
    const flow: Flow = { provider: p.id, ...checks, invite, expires: Date.now() + FLOW_TTL_SEC * 1000 };
    void reply.setCookie(FLOW_COOKIE, this.box.seal(JSON.stringify(flow)), {
      path: '/api/auth/sso',
      httpOnly: true,
      // The provider sends the browser back with a top-level GET: lax cookies go along.
      sameSite: 'lax',
      maxAge: FLOW_TTL_SEC,
    });
    return url.toString();
  }

  private flowOf(req: FastifyRequest, providerId: string): Flow {
    const sealed = req.cookies[FLOW_COOKIE];
    if (!sealed)
      throw new SignInRefused(
        'this sign-in was not started here (or took longer than 10 minutes): start again',
      );
    let flow: Flow;
    try {
      flow = Flow.parse(JSON.parse(this.box.open(sealed)));
    } catch {
      throw new SignInRefused('this sign-in was not started here: start again');
    }
    if (flow.provider !== providerId || flow.expires < Date.now())
      throw new SignInRefused(
        'this sign-in took longer than 10 minutes or was meant for another provider: start again',
      );
    return flow;
  }

  /** The provider sent the browser back: check everything, then find or create the Kiln user. */
  async finish(
    providerId: string,
    req: FastifyRequest,
    reply: FastifyReply,
    baseUrl: string,
  ): Promise<FlowOutcome> {
    // One try per started sign-in: the cookie goes whatever happens next.
    void reply.clearCookie(FLOW_COOKIE, { path: '/api/auth/sso' });
    const current = new URL(req.url, baseUrl);
    let person: ExternalPerson | null = null;
    try {
      const flow = this.flowOf(req, providerId);
      const p = await this.providers.resolve(providerId);
      const sent = current.searchParams;
      const providerError = sent.get('error');
      if (providerError)
        throw new SignInRefused(
          `${p.displayName} did not sign you in: ${sent.get('error_description') ?? providerError}`,
        );
      try {
        if (p.kind === 'oidc') person = await oidcPerson(p, current, flow);
        else {
          if (sent.get('state') !== flow.state)
            throw new Error('the state sent back does not match this sign-in');
          person = await oauthPerson(p, sent.get('code') ?? '', flow, callbackUrl(baseUrl, p.id));
        }
      } catch (err) {
        const why = reasonOf(err);
        req.log.warn({ provider: p.id, reason: why }, 'SSO sign-in refused');
        throw new SignInRefused(`${p.displayName} sign-in could not be checked (${why}): start again`);
      }
      const { user, how } = await userForSignIn(this.store, this.invites, p, person, flow.invite);
      await audit(this.store, {
        action: 'signin.ok',
        actor: { id: user.id, name: user.name, kind: 'session' },
        req,
        detail: { method: p.id, firstSignIn: how !== 'known', via: how },
      });
      return { ok: true, user };
    } catch (err) {
      if (!(err instanceof SignInRefused) && !(err instanceof ApiFailure)) throw err;
      const message = err.message;
      await audit(this.store, {
        action: 'signin.failed',
        outcome: 'denied',
        actor: null,
        req,
        target: person?.email ?? person?.subject ?? null,
        detail: { method: providerId, reason: message },
      });
      return { ok: false, message };
    }
  }
}

/**
 * openid-client's and arctic's errors in words: the provider's error code, else the innermost
 * cause (openid-client wraps oauth4webapi's precise "unexpected state" / claim errors).
 */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { error?: unknown; error_description?: unknown };
  if (typeof e.error === 'string')
    return typeof e.error_description === 'string' ? `${e.error}: ${e.error_description}` : e.error;
  if (e.cause instanceof Error) return reasonOf(e.cause);
  const claim = (e.cause as { claim?: unknown } | undefined)?.claim;
  return typeof claim === 'string' ? `${e.message}: ${claim}` : e.message;
}
