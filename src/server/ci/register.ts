import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/port.js';
import type { ProjectService } from '../projects/project-service.js';
import type { makeRoute } from '../route.js';
import type { SecretBox } from '../secrets.js';
import { registerCiWorkflowRoute } from './workflow-routes.js';

export interface CiDeps {
  store: Store;
  box: SecretBox;
  projects: ProjectService;
  home: string;
}

/** Registers the CI experiment routes: wizard, CI commits, commit CI status, settings, forge webhooks. */
export async function registerCi(
  app: FastifyInstance,
  route: ReturnType<typeof makeRoute>,
  _deps: CiDeps,
): Promise<void> {
  registerCiWorkflowRoute(route);
  await Promise.resolve(app);
}
