import type { CreateBranchBody, CreatedBranch } from '../../contracts/experiments.js';
import { CreateBranchBody as Body } from '../../contracts/experiments.js';
import { keepLocalBranch } from '../../git/local-branches.js';
import { git, GitError } from '../../git/run-git.js';
import { ApiFailure } from '../api-error.js';
import type { ExperimentService } from './experiment-service.js';

/** Makes a branch at a finished experiment's result commit, in the project's source remote. */
export async function createBranch(
  experiments: ExperimentService,
  project: string,
  name: string,
  input: CreateBranchBody,
): Promise<CreatedBranch> {
  const body = Body.parse(input);
  const exp = await experiments.get(project, name);
  if (!exp.resultCommit)
    throw new ApiFailure('conflict', `experiment "${name}" has no result commit (it is ${exp.status})`);
  const { mirror, source } = await experiments.where(project);
  try {
    await git(['check-ref-format', `refs/heads/${body.branch}`], { cwd: mirror });
  } catch {
    throw new ApiFailure('bad_request', `"${body.branch}" is not a valid branch name`);
  }
  const ref = `refs/heads/${body.branch}`;
  try {
    await git(['update-ref', ref, exp.resultCommit, ''], { cwd: mirror });
  } catch (err) {
    if (err instanceof GitError) throw new ApiFailure('conflict', `branch "${body.branch}" already exists`);
    throw err;
  }
  if (!body.push || source === mirror) {
    if (source !== mirror) await keepLocalBranch(mirror, body.branch, exp.resultCommit);
    await experiments.reloadProject(project);
    return { branch: body.branch, commit: exp.resultCommit, pushed: false };
  }
  try {
    await experiments.pushToSource(project, exp.resultCommit, ref);
  } catch (err) {
    // The branch stays in Kiln (kept across fetches) even though the source refused it.
    await keepLocalBranch(mirror, body.branch, exp.resultCommit);
    if (err instanceof GitError)
      throw new ApiFailure('git_failed', `the branch was made but could not be pushed: ${err.message}`);
    throw err;
  }
  await experiments.reloadProject(project);
  return { branch: body.branch, commit: exp.resultCommit, pushed: true };
}
