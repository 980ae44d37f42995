import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ForgeKind, WebhookResult } from '../../contracts/ci.js';
import { repoKey } from '../../forge/detect.js';
import { verifyWebhook, webhookCommits, webhookEvent } from '../../forge/webhook.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Authenticator } from '../auth.js';
import type { ProjectService } from '../projects/project-service.js';
import { makeRoute } from '../route.js';
import type { CiSettingsStore } from './ci-settings.js';
import type { CiSummaryService } from './ci-summaries.js';
import type { WebhookSecrets } from './webhook-secrets.js';

const WebhookParams = z.object({ forge: z.enum(['github', 'gitlab', 'gitea', 'bitbucket']) });
const RawBody = z.custom<Buffer>((b) => Buffer.isBuffer(b), 'expected a JSON body');

/** Every clone/web URL a forge puts in its payload (GitHub, Gitea: repository; GitLab: project; Bitbucket: links). */
const Payload = z.looseObject({
  repository: z
    .looseObject({
      clone_url: z.string().optional(),
      ssh_url: z.string().optional(),
      html_url: z.string().optional(),
      git_http_url: z.string().optional(),
      git_ssh_url: z.string().optional(),
      links: z.looseObject({ html: z.looseObject({ href: z.string() }).optional() }).optional(),
    })
    .optional(),
  project: z
    .looseObject({
      git_http_url: z.string().optional(),
      git_ssh_url: z.string().optional(),
      web_url: z.string().optional(),
    })
    .optional(),
});

function payloadUrls(json: unknown): string[] {
  const p = Payload.safeParse(json);
  if (!p.success) return [];
  const r = p.data.repository;
  const g = p.data.project;
  return [
    r?.clone_url,
    r?.ssh_url,
    r?.html_url,
    r?.git_http_url,
    r?.git_ssh_url,
    r?.links?.html?.href,
    g?.git_http_url,
    g?.git_ssh_url,
    g?.web_url,
  ].filter((u): u is string => typeof u === 'string');
}

/**
 * `POST /webhook/:forge`: push, pull request and status events. The body is kept raw for the
 * HMAC check; the secret is the server's CI webhook secret (`PUT /api/ci/settings`) or the
 * project's own (`PUT /api/projects/:name/ci/webhook`). The commits
 * the event names get their cached CI status read again.
 */
export async function registerWebhookRoutes(
  app: FastifyInstance,
  auth: Authenticator,
  deps: {
    store: Store;
    projects: ProjectService;
    settings: CiSettingsStore;
    summaries: CiSummaryService;
    secrets: WebhookSecrets;
  },
): Promise<void> {
  await app.register(async (scope) => {
    // The raw bytes are what the forge signed: this scope replaces the server's JSON parser.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    const route = makeRoute(scope, auth, deps.store);
    route(
      {
        method: 'POST',
        url: '/webhook/:forge',
        permission: 'public',
        params: WebhookParams,
        body: RawBody,
        // Forges sign, not authenticate, their calls: a push of many commits runs to a few MB.
        anonymousBodyLimit: 5 * 1024 * 1024,
      },
      async ({ params, body, req }): Promise<WebhookResult> => {
        const kind: ForgeKind = params.forge;
        const serverSecret = (await deps.settings.get()).webhookSecret;
        const serverOk = serverSecret !== undefined && verifyWebhook(kind, req.headers, body, serverSecret);
        let json: unknown = null;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          if (serverOk) throw new ApiFailure('bad_request', 'the webhook body is not JSON');
          throw new ApiFailure('unauthorized', `the ${kind} webhook signature or token does not match`);
        }
        const keys = new Set(
          payloadUrls(json)
            .map(repoKey)
            .filter((k): k is string => k !== null),
        );
        const named = (await deps.store.listProjects()).filter((p) => {
          const k = repoKey(p.source);
          return k !== null && keys.has(k);
        });
        // The server-wide secret reaches every project the payload names; a project's own secret only that project.
        const matching = [];
        let anySecret = serverSecret !== undefined;
        for (const p of named) {
          const own = await deps.secrets.get(p.name);
          anySecret ||= own !== null;
          if (serverOk || (own !== null && verifyWebhook(kind, req.headers, body, own))) matching.push(p);
        }
        if (!anySecret)
          throw new ApiFailure(
            'forbidden',
            'no webhook secret is configured: PUT /api/ci/settings or /api/projects/:name/ci/webhook',
          );
        if (!serverOk && matching.length === 0)
          throw new ApiFailure('unauthorized', `the ${kind} webhook signature or token does not match`);
        const shas = webhookCommits(json);
        for (const p of matching) {
          await deps.summaries.invalidate(p.name, shas.length ? shas : undefined).catch(() => undefined);
          await deps.projects.reload(p.name).catch(() => undefined);
        }
        return { forge: kind, event: webhookEvent(kind, req.headers), reloaded: matching.map((p) => p.name) };
      },
    );
  });
}
