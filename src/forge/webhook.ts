import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ForgeKind } from '../contracts/ci.js';

type Headers = Record<string, string | string[] | undefined>;

function header(h: Headers, name: string): string | null {
  const v = h[name.toLowerCase()];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const hmac = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

/**
 * Checks a forge webhook delivery against the shared secret, over the raw body bytes:
 * GitHub `X-Hub-Signature-256: sha256=<hmac>`, Bitbucket Cloud `X-Hub-Signature: sha256=<hmac>`,
 * Gitea `X-Gitea-Signature: <hmac>`, GitLab `X-Gitlab-Token: <secret>`.
 */
export function verifyWebhook(kind: ForgeKind, headers: Headers, body: Buffer, secret: string): boolean {
  switch (kind) {
    case 'github': {
      const sig = header(headers, 'x-hub-signature-256');
      return sig !== null && same(sig, `sha256=${hmac(secret, body)}`);
    }
    case 'bitbucket': {
      const sig = header(headers, 'x-hub-signature');
      return sig !== null && same(sig, `sha256=${hmac(secret, body)}`);
    }
    case 'gitea': {
      const sig = header(headers, 'x-gitea-signature') ?? header(headers, 'x-forgejo-signature');
      return sig !== null && same(sig, hmac(secret, body));
    }
    case 'gitlab': {
      const token = header(headers, 'x-gitlab-token');
      return token !== null && same(token, secret);
    }
    case 'git':
      return false;
  }
}

/** The event name each forge puts in a header. */
export function webhookEvent(kind: ForgeKind, headers: Headers): string {
  const name = {
    github: 'x-github-event',
    gitlab: 'x-gitlab-event',
    gitea: 'x-gitea-event',
    bitbucket: 'x-event-key',
    git: '',
  }[kind];
  return (name && header(headers, name)) || 'unknown';
}
