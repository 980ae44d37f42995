import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CiSettings, ForgeHost } from '../../contracts/ci.js';
import type { SecretBox } from '../secrets.js';

/** On disk: the hosts, and the webhook secret sealed with the server's key. */
const Stored = z.object({
  hosts: z.array(ForgeHost).default([]),
  webhookSecretSealed: z.string().nullable().default(null),
});

/**
 * Server-wide CI settings in `<home>/ci-settings.json`: forge hosts (GitHub Enterprise,
 * self-hosted GitLab, Gitea) and the one webhook secret every forge webhook must carry.
 */
export class CiSettingsStore {
  private readonly file: string;

  constructor(
    home: string,
    private readonly box: SecretBox,
  ) {
    this.file = path.join(home, 'ci-settings.json');
  }

  async get(): Promise<CiSettings> {
    const s = await this.read();
    return {
      hosts: s.hosts,
      ...(s.webhookSecretSealed ? { webhookSecret: this.box.open(s.webhookSecretSealed) } : {}),
    };
  }

  /** Replaces the given fields; `webhookSecret: "generate"` makes a random one. */
  async update(patch: {
    hosts?: ForgeHost[] | undefined;
    webhookSecret?: string | undefined;
  }): Promise<CiSettings> {
    const s = await this.read();
    const secret = patch.webhookSecret === 'generate' ? randomBytes(24).toString('hex') : patch.webhookSecret;
    const next = {
      hosts: patch.hosts ?? s.hosts,
      webhookSecretSealed: secret !== undefined ? this.box.seal(secret) : s.webhookSecretSealed,
    };
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
    await rename(tmp, this.file);
    return this.get();
  }

  private async read(): Promise<z.infer<typeof Stored>> {
    if (!existsSync(this.file)) return Stored.parse({});
    return Stored.parse(JSON.parse(await readFile(this.file, 'utf8')));
  }
}

export const UpdateCiSettingsBody = z.object({
  hosts: z.array(ForgeHost).max(100).optional(),
  /** A secret of at least 16 characters, or `"generate"` for a random one. */
  webhookSecret: z.union([z.literal('generate'), CiSettings.shape.webhookSecret.unwrap()]).optional(),
});
