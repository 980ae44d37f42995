import { existsSync } from 'node:fs';
import path from 'node:path';
import { ExperimentPullRequestBody, type ExperimentPullRequest } from '../../contracts/ci.js';
import { credentialEnv } from '../../git/mirror.js';
import { git, GitError } from '../../git/run-git.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { ProjectService } from '../projects/project-service.js';
import type { TableService } from '../table/table-service.js';
import type { SecretBox } from '../secrets.js';
import { defaultBranch } from './ci-commit-service.js';
import { projectAccess } from './project-access.js';
import type { CiSettingsStore } from './ci-settings.js';
import type { CiSummaryService } from './ci-summaries.js';
import { openPullRequest } from './pull-request.js';

type Body = ReturnType<typeof ExperimentPullRequestBody.parse>;

export interface ExperimentPrDeps {
  store: Store;
  box: SecretBox;
  projects: ProjectService;
  tables: Pick<TableService, 'pushedExperiment'>;
  settings: CiSettingsStore;
  summaries: CiSummaryService;
  /** Kiln's own address, for the link back to the experiment page. */
  baseUrl: string;
}

/**
 * "Create pull request" on a finished compute experiment: its result commit is pushed as a new
 * branch (an existing branch is reused only when it already points there — never moved, never
 * forced), then a pull request to the base is opened whose body links back to the experiment.
 */
export async function experimentPullRequest(
  deps: ExperimentPrDeps,
  project: string,
  name: string,
  body: Body,
): Promise<ExperimentPullRequest> {
  const { rec, creds } = await projectAccess(deps.store, deps.box, project);
  // a Kiln run, or an experiment `dvc exp push` stored (its commit is its result)
  const exp =
    (await deps.store.experiments.get(project, name)) ??
    (await deps.tables.pushedExperiment(project, name).then((p) =>
      p
        ? {
            name,
            status: 'pushed',
            resultCommit: p.row.rev,
            message: p.row.message,
            baseline: p.row.baseline ?? '',
          }
        : null,
    ));
  if (!exp) throw new ApiFailure('not_found', `no experiment "${name}" in project "${project}"`);
  if (!exp.resultCommit)
    throw new ApiFailure('conflict', `experiment "${name}" has no result commit (it is ${exp.status})`);
  const mirror = deps.projects.mirrorDir(project);
  if (!existsSync(path.join(mirror, 'HEAD')))
    throw new ApiFailure('conflict', `project "${project}" has not been fetched yet; reload it first`);
  const base = body.base ?? (await defaultBranch(mirror));
  const branch = body.branch ?? `exp-${name}`;
  const commit = exp.resultCommit;

  const { env, cleanup } = await credentialEnv(creds);
  try {
    const remote = (
      await git(['ls-remote', '--', rec.source, `refs/heads/${branch}`, `refs/heads/${base}`], {
        cwd: mirror,
        env,
        timeoutMs: 60_000,
      })
    ).trim();
    const heads = new Map(
      remote
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [sha = '', ref = ''] = l.split('\t');
          return [ref.replace(/^refs\/heads\//, ''), sha] as const;
        }),
    );
    if (!heads.has(base)) throw new ApiFailure('bad_request', `the remote has no branch "${base}"`);
    const existing = heads.get(branch);
    if (existing !== undefined && existing !== commit)
      throw new ApiFailure(
        'conflict',
        `branch "${branch}" already exists on the remote at another commit; choose another name`,
      );
    if (existing === undefined) await deps.projects.pushToSource(project, commit, `refs/heads/${branch}`);
  } catch (err) {
    if (err instanceof GitError)
      throw new ApiFailure('git_failed', `pushing branch ${branch} failed: ${err.message}`, err.stderr);
    throw err;
  } finally {
    await cleanup();
  }

  const link = `${deps.baseUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(project)}/experiments/${encodeURIComponent(name)}`;
  const outcome = await openPullRequest(rec, creds, deps.settings, {
    head: branch,
    base,
    title: body.title ?? (exp.message.trim().split('\n')[0] || `Experiment ${name}`),
    body: [
      body.description?.trim(),
      `Results of the Kiln experiment [${name}](${link}) (baseline \`${exp.baseline.slice(0, 7)}\`, result \`${commit.slice(0, 7)}\`).`,
    ]
      .filter(Boolean)
      .join('\n\n'),
  });
  if (outcome.pullRequest.state === 'opened')
    await deps.summaries.recordPullRequest(project, commit, outcome.pullRequest);
  await deps.projects.reload(project).catch(() => undefined);
  return { project, experiment: name, commit, branch, base, ...outcome };
}
