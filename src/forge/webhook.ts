import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
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

const Sha = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/);
const HeadSha = z.looseObject({ head_sha: z.string().optional() });

/**
 * Where forges name the commit an event is about: GitHub/Gitea `status` (`sha`), `check_run`,
 * `check_suite`, `workflow_run` (`head_sha`), pull requests (`pull_request.head.sha`), pushes
 * (`after`); GitLab pipelines (`object_attributes.sha`), jobs (`sha`), merge requests
 * (`object_attributes.last_commit.id`), pushes (`checkout_sha`), commit notes (`commit.id`,
 * where `cml comment create` reports land); GitHub commit comments (`comment.commit_id`);
 * Bitbucket commit statuses (`commit_status.commit.hash`).
 */
const CommitFields = z.looseObject({
  sha: z.string().optional(),
  after: z.string().optional(),
  checkout_sha: z.string().nullable().optional(),
  check_run: HeadSha.optional(),
  check_suite: HeadSha.optional(),
  workflow_run: HeadSha.optional(),
  pull_request: z.looseObject({ head: z.looseObject({ sha: z.string().optional() }).optional() }).optional(),
  object_attributes: z
    .looseObject({
      sha: z.string().optional(),
      last_commit: z.looseObject({ id: z.string().optional() }).optional(),
    })
    .optional(),
  commit_status: z
    .looseObject({ commit: z.looseObject({ hash: z.string().optional() }).optional() })
    .optional(),
  comment: z.looseObject({ commit_id: z.string().nullable().optional() }).optional(),
  commit: z.looseObject({ id: z.string().optional() }).optional(),
});

/** The commits a webhook payload is about (full ids only); empty when it names none. */
export function webhookCommits(json: unknown): string[] {
  const p = CommitFields.safeParse(json);
  if (!p.success) return [];
  const d = p.data;
  const candidates = [
    d.sha,
    d.after,
    d.checkout_sha,
    d.check_run?.head_sha,
    d.check_suite?.head_sha,
    d.workflow_run?.head_sha,
    d.pull_request?.head?.sha,
    d.object_attributes?.sha,
    d.object_attributes?.last_commit?.id,
    d.commit_status?.commit?.hash,
    d.comment?.commit_id,
    d.commit?.id,
  ];
  // A deleted branch's push names the all-zero id: no commit to follow.
  const real = candidates.filter((c): c is string => Sha.safeParse(c).success && !/^0+$/.test(c ?? ''));
  return [...new Set(real)];
}
