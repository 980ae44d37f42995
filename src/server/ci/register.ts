import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/port.js';
import type { Authenticator } from '../auth.js';
import type { EventBus } from '../event-bus.js';
import type { ProjectService } from '../projects/project-service.js';
import type { TableService } from '../table/table-service.js';
import type { makeRoute } from '../route.js';
import { UploadStore } from '../runs/uploads.js';
import type { SecretBox } from '../secrets.js';
import { CiCommitService } from './ci-commit-service.js';
import { registerCiRoutes } from './ci-routes.js';
import { CiSettingsStore } from './ci-settings.js';
import { CiSummaryService } from './ci-summaries.js';
import { registerWebhookRoutes } from './webhook-routes.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { registerCiWorkflowRoute } from './workflow-routes.js';

export interface CiDeps {
  store: Store;
  box: SecretBox;
  projects: ProjectService;
  tables: TableService;
  auth: Authenticator;
  home: string;
  bus: EventBus;
  /** The address users reach Kiln at (`KILN_PUBLIC_URL`), for links written into pull requests. */
  publicUrl?: string;
}

/** Registers the CI experiment routes: wizard, CI commits, commit CI status, settings, forge webhooks. */
export async function registerCi(
  app: FastifyInstance,
  route: ReturnType<typeof makeRoute>,
  deps: CiDeps,
): Promise<CiSummaryService> {
  const settings = new CiSettingsStore(deps.home, deps.box);
  const summaries = new CiSummaryService({ ...deps, settings });
  // The Run form's uploads (`POST /api/projects/:name/uploads`) live here; CI commits read them.
  const uploads = new UploadStore(path.join(deps.home, 'uploads'), deps.store);
  const commits = new CiCommitService(deps.store, deps.box, deps.projects, settings, summaries, (p, id) =>
    uploads.fetch(p, id),
  );
  registerCiWorkflowRoute(route);
  const secrets = new WebhookSecrets(deps.store, deps.box);
  registerCiRoutes(route, { ...deps, settings, commits, summaries, secrets });
  await registerWebhookRoutes(app, deps.auth, { ...deps, settings, summaries, secrets });
  return summaries;
}
