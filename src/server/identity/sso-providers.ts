import { z } from 'zod';
import {
  SsoProviderBody,
  type SignInProvider,
  type SsoProvider,
  type TeamRole,
} from '../../contracts/identity.js';
import type { SsoProviderRecord } from '../../store/kysely-identity.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { SecretBox } from '../secrets.js';

/** What config_json holds: the provider body less what has columns of its own. */
const StoredConfig = SsoProviderBody.omit({ id: true, kind: true, displayName: true, clientSecret: true });
type StoredConfig = z.infer<typeof StoredConfig>;

/** A provider ready for a sign-in: its settings and the secret opened. */
export interface ResolvedProvider {
  id: string;
  kind: SsoProviderRecord['kind'];
  displayName: string;
  updatedAt: string;
  config: StoredConfig & { team: string; role: TeamRole };
  clientSecret: string;
}

export function callbackUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/api/auth/sso/${id}/callback`;
}

/** Sign-in providers an admin configures; the client secret sealed with the server's key. */
export class SsoProviders {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
  ) {}

  private view(r: SsoProviderRecord, baseUrl: string): SsoProvider {
    const c = StoredConfig.parse(JSON.parse(r.configJson));
    return {
      id: r.id,
      kind: r.kind,
      displayName: r.displayName,
      ...c,
      hasSecret: r.secretEnc !== '',
      callbackUrl: callbackUrl(baseUrl, r.id),
    };
  }

  async list(baseUrl: string): Promise<SsoProvider[]> {
    return (await this.store.identity.listProviders()).map((r) => this.view(r, baseUrl));
  }

  /** The buttons of the sign-in page. */
  async buttons(): Promise<SignInProvider[]> {
    return (await this.store.identity.listProviders()).map((r) => ({
      id: r.id,
      kind: r.kind,
      displayName: r.displayName,
    }));
  }

  async put(body: SsoProviderBody, baseUrl: string): Promise<SsoProvider> {
    if (body.kind === 'oidc' && !body.issuer)
      throw new ApiFailure(
        'bad_request',
        'an OpenID Connect provider needs its issuer URL (e.g. https://login.example.com)',
      );
    if (body.issuer && new URL(body.issuer).protocol !== 'https:' && !isLoopback(body.issuer))
      throw new ApiFailure('bad_request', `the issuer ${body.issuer} must use https`);
    const team = await this.store.identity.teamByIdOrName(body.team);
    if (!team)
      throw new ApiFailure('bad_request', `no team named ${body.team} for people this provider lets in`);
    const existing = await this.store.identity.getProvider(body.id);
    if (existing && existing.kind !== body.kind)
      throw new ApiFailure('conflict', `provider ${body.id} is a ${existing.kind} provider; pick another id`);
    if (!existing && !body.clientSecret)
      throw new ApiFailure('bad_request', 'a new provider needs its client secret');
    const { id, kind, displayName, clientSecret, ...rest } = body;
    const config: StoredConfig = StoredConfig.parse({ ...rest, team: team.id });
    await this.store.identity.putProvider(
      {
        id,
        kind,
        displayName,
        configJson: JSON.stringify(config),
        secretEnc: clientSecret ? this.box.seal(clientSecret) : (existing?.secretEnc ?? ''),
      },
      new Date().toISOString(),
    );
    const saved = await this.store.identity.getProvider(id);
    if (!saved) throw new Error('the provider just saved is gone');
    return this.view(saved, baseUrl);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.identity.deleteProvider(id)))
      throw new ApiFailure('not_found', `no sign-in provider ${id}`);
  }

  async resolve(id: string): Promise<ResolvedProvider> {
    const r = await this.store.identity.getProvider(id);
    if (!r) throw new ApiFailure('not_found', `no sign-in provider ${id}`);
    return {
      id: r.id,
      kind: r.kind,
      displayName: r.displayName,
      updatedAt: r.updatedAt,
      config: StoredConfig.parse(JSON.parse(r.configJson)),
      clientSecret: this.box.open(r.secretEnc),
    };
  }
}

/** Plain http is allowed for a provider on this machine only (a test or a local IdP). */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}
