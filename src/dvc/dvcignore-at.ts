import path from 'node:path/posix';
import { isDvcIgnoreFile, pipelineFilesOf, type DvcIgnoreText } from '../core/dvc/dvcignore.js';
import { git, GitError } from '../git/run-git.js';

/** More `.dvcignore` files than this are not read (each is one `git show`). */
const MAX_IGNORE_FILES = 200;

/**
 * The dvc.yaml files of a commit that DVC collects (no `.dvcignore` excludes them), the top-level
 * one first. `tree` lists the commit's files relative to the project directory `subdir`.
 */
export async function pipelineFilesAt(
  mirror: string,
  sha: string,
  subdir: string,
  tree: readonly string[],
): Promise<string[]> {
  const ignores: DvcIgnoreText[] = [];
  for (const f of tree.filter(isDvcIgnoreFile).slice(0, MAX_IGNORE_FILES)) {
    try {
      ignores.push({ path: f, text: await git(['show', `${sha}:${path.join(subdir, f)}`], { cwd: mirror }) });
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
    }
  }
  return pipelineFilesOf(tree, ignores);
}
