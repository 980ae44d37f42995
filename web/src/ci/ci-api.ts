import {
  ExperimentPullRequest,
  ProjectForge,
  ProjectWebhook,
  type ExperimentPullRequestBody,
  type ProjectWebhookBody,
} from '../../../src/contracts/ci.js';
import { request } from '../api.js';

const project = (name: string): string => `/api/projects/${encodeURIComponent(name)}`;

/** The CI routes the experiment and project settings pages use. */
export const ciApi = {
  forge: (name: string) => request('GET', `${project(name)}/ci/forge`, ProjectForge),
  webhook: (name: string) => request('GET', `${project(name)}/ci/webhook`, ProjectWebhook),
  setWebhook: (name: string, secret: ProjectWebhookBody['secret']) =>
    request('PUT', `${project(name)}/ci/webhook`, ProjectWebhook, { secret }),
  experimentPullRequest: (name: string, exp: string, body: ExperimentPullRequestBody) =>
    request(
      'POST',
      `${project(name)}/experiments/${encodeURIComponent(exp)}/pull-request`,
      ExperimentPullRequest,
      body,
    ),
};
