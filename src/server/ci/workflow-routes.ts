import { WizardInput } from '../../contracts/ci.js';
import { generateWorkflow } from '../../core/ci/generate.js';
import type { makeRoute } from '../route.js';

/** `POST /api/ci/workflow`: the CI wizard's live preview; body WizardInput → GeneratedWorkflow. */
export function registerCiWorkflowRoute(route: ReturnType<typeof makeRoute>): void {
  route(
    { method: 'POST', url: '/api/ci/workflow', permission: 'signed-in', body: WizardInput },
    async ({ body }) => generateWorkflow(body),
  );
}
