import { z } from 'zod';
import { ProjectName } from '../../contracts/api.js';
import { CiCommitBody, CiSummariesQuery } from '../../contracts/ci.js';
import { RevSpec } from '../../contracts/experiments.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { ProjectService } from '../projects/project-service.js';
import type { makeRoute } from '../route.js';
import type { SecretBox } from '../secrets.js';
import type { CiCommitService } from './ci-commit-service.js';
import { UpdateCiSettingsBody, type CiSettingsStore } from './ci-settings.js';
import { commitCi } from './ci-status.js';
import type { CiSummaryService } from './ci-summaries.js';

const ProjectParams = z.object({ name: ProjectName });
const CommitParams = z.object({ name: ProjectName, rev: RevSpec });

export function registerCiRoutes(
  route: ReturnType<typeof makeRoute>,
  deps: {
    store: Store;
    box: SecretBox;
    projects: ProjectService;
    settings: CiSettingsStore;
    commits: CiCommitService;
    summaries: CiSummaryService;
  },
): void {
  route(
    {
      method: 'POST',
      url: '/api/projects/:name/ci-commits',
      auth: 'user',
      params: ProjectParams,
      body: CiCommitBody,
      status: 201,
    },
    async ({ params, body, auth }) => {
      if (!auth) throw new ApiFailure('unauthorized', 'not logged in');
      return deps.commits.commit(params.name, body, auth.user.name);
    },
  );

  route(
    { method: 'GET', url: '/api/projects/:name/commits/:rev/ci', auth: 'user', params: CommitParams },
    async ({ params }) => commitCi(deps, params.name, params.rev),
  );

  route(
    {
      method: 'GET',
      url: '/api/projects/:name/ci/commits',
      auth: 'user',
      params: ProjectParams,
      query: CiSummariesQuery,
    },
    async ({ params, query }) => deps.summaries.summaries(params.name, query.shas),
  );

  route({ method: 'GET', url: '/api/ci/settings', auth: 'admin' }, async () => deps.settings.get());

  route(
    { method: 'PUT', url: '/api/ci/settings', auth: 'admin', body: UpdateCiSettingsBody },
    async ({ body }) => deps.settings.update(body),
  );
}
