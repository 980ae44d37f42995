import {
  ExperimentPullRequest,
  ProjectForge,
  type ExperimentPullRequestBody,
} from '../../../src/contracts/ci.js';
import { request } from '../api.js';

const project = (name: string): string => `/api/projects/${encodeURIComponent(name)}`;

/** The CI routes the experiment page uses. */
export const ciApi = {
  forge: (name: string) => request('GET', `${project(name)}/ci/forge`, ProjectForge),
  experimentPullRequest: (name: string, exp: string, body: ExperimentPullRequestBody) =>
    request(
      'POST',
      `${project(name)}/experiments/${encodeURIComponent(exp)}/pull-request`,
      ExperimentPullRequest,
      body,
    ),
};
