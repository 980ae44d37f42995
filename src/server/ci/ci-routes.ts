import { z } from 'zod';
import { ProjectName } from '../../contracts/api.js';
import {
  CiCommitBody,
  CiSummariesQuery,
  ExperimentPullRequestBody,
  ProjectWebhookBody,
  type ProjectWebhook,
} from '../../contracts/ci.js';
import { ExperimentName, RevSpec } from '../../contracts/experiments.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { ProjectService } from '../projects/project-service.js';
import type { TableService } from '../table/table-service.js';
import type { makeRoute } from '../route.js';
import type { SecretBox } from '../secrets.js';
import type { CiCommitService } from './ci-commit-service.js';
import { projectAccess } from './project-access.js';
import { UpdateCiSettingsBody, type CiSettingsStore } from './ci-settings.js';
import { commitCi } from './ci-status.js';
import type { CiSummaryService } from './ci-summaries.js';
import { experimentPullRequest } from './experiment-pr.js';
import { projectForge } from './pull-request.js';
import { kilnWorkflow } from './kiln-workflow.js';
import type { WebhookSecrets } from './webhook-secrets.js';

const ProjectParams = z.object({ name: ProjectName });
const CommitParams = z.object({ name: ProjectName, rev: RevSpec });
const ExpParams = z.object({ name: ProjectName, exp: ExperimentName });
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/;

export function registerCiRoutes(
  route: ReturnType<typeof makeRoute>,
  deps: {
    store: Store;
    box: SecretBox;
    projects: ProjectService;
    tables: TableService;
    settings: CiSettingsStore;
    commits: CiCommitService;
    summaries: CiSummaryService;
    secrets: WebhookSecrets;
    publicUrl?: string;
  },
): void {
  route(
    {
      method: 'POST',
      url: '/api/projects/:name/ci-commits',
      permission: 'project:run',
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
    {
      method: 'GET',
      url: '/api/projects/:name/commits/:rev/ci',
      permission: 'project:read',
      params: CommitParams,
    },
    async ({ params }) => commitCi(deps, params.name, params.rev),
  );

  route(
    {
      method: 'GET',
      url: '/api/projects/:name/ci/commits',
      permission: 'project:read',
      params: ProjectParams,
      query: CiSummariesQuery,
    },
    async ({ params, query }) => deps.summaries.summaries(params.name, query.shas),
  );

  route(
    { method: 'GET', url: '/api/projects/:name/ci/forge', permission: 'project:read', params: ProjectParams },
    async ({ params }) => {
      const { rec, creds } = await projectAccess(deps.store, deps.box, params.name);
      const forge = await projectForge(rec, creds, deps.settings);
      return { ...forge, kilnWorkflow: await kilnWorkflow(deps.projects.mirrorDir(params.name)) };
    },
  );

  route(
    {
      method: 'POST',
      url: '/api/projects/:name/experiments/:exp/pull-request',
      permission: 'project:run',
      params: ExpParams,
      body: ExperimentPullRequestBody,
      status: 201,
    },
    async ({ params, body, req }) => {
      const host = req.headers.host ?? '';
      // The link back to Kiln uses the address the user reached Kiln at.
      const baseUrl =
        deps.publicUrl?.replace(/\/+$/, '') ??
        (HOST.test(host) ? `${req.protocol}://${host}` : 'http://localhost');
      return experimentPullRequest({ ...deps, baseUrl }, params.name, params.exp, body);
    },
  );

  const webhook = async (name: string, secret: string | null): Promise<ProjectWebhook> => ({
    project: name,
    secret,
    paths: ['/webhook/github', '/webhook/gitlab', '/webhook/gitea', '/webhook/bitbucket'],
  });
  route(
    {
      method: 'GET',
      url: '/api/projects/:name/ci/webhook',
      permission: 'project:maintain',
      params: ProjectParams,
    },
    async ({ params }) => {
      await projectAccess(deps.store, deps.box, params.name);
      return webhook(params.name, await deps.secrets.get(params.name));
    },
  );
  route(
    {
      method: 'PUT',
      url: '/api/projects/:name/ci/webhook',
      permission: 'project:maintain',
      params: ProjectParams,
      body: ProjectWebhookBody,
    },
    async ({ params, body }) => {
      await projectAccess(deps.store, deps.box, params.name);
      return webhook(params.name, await deps.secrets.set(params.name, body.secret));
    },
  );

  route({ method: 'GET', url: '/api/ci/settings', permission: 'instance:admin' }, async () =>
    deps.settings.get(),
  );

  route(
    { method: 'PUT', url: '/api/ci/settings', permission: 'instance:admin', body: UpdateCiSettingsBody },
    async ({ body }) => deps.settings.update(body),
  );
}
