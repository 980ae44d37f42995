import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/port.js';
import type { SecretBox } from '../secrets.js';

const key = (project: string) => `ci.webhookSecret:${project}`;

/**
 * Per-project webhook secrets, sealed with the server's key in the store's settings: a forge
 * webhook signed with a project's secret may reload that project only, where the server-wide
 * secret (`PUT /api/ci/settings`) reaches every project whose repository the payload names.
 */
export class WebhookSecrets {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
  ) {}

  async get(project: string): Promise<string | null> {
    const sealed = await this.store.getSetting(key(project));
    return sealed ? this.box.open(sealed) : null;
  }

  /** Sets the secret (`"generate"` makes a random one) and returns it; `null` removes it. */
  async set(project: string, secret: string | null): Promise<string | null> {
    if (secret === null) {
      await this.store.deleteSettings([key(project)]);
      return null;
    }
    const value = secret === 'generate' ? randomBytes(24).toString('hex') : secret;
    await this.store.setSetting(key(project), this.box.seal(value));
    return value;
  }
}
