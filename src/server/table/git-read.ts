import { git, GitError } from '../../git/run-git.js';
import { ApiFailure } from '../api-error.js';

/** Resolves a rev of the mirror to a full commit sha, or a 400 naming it. */
export async function resolveRev(mirror: string, rev: string): Promise<string> {
  try {
    return (
      await git(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`], { cwd: mirror })
    ).trim();
  } catch (err) {
    if (err instanceof GitError) throw new ApiFailure('bad_request', `no commit "${rev}" in this project`);
    throw err;
  }
}

/** A file's text at a commit, or null when the commit has no such file. */
export async function readAt(mirror: string, sha: string, file: string): Promise<string | null> {
  try {
    return await git(['show', `${sha}:${file}`], { cwd: mirror });
  } catch (err) {
    if (err instanceof GitError) return null;
    throw err;
  }
}
