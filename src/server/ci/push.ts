import { git, GitError } from '../../git/run-git.js';
import { ApiFailure } from '../api-error.js';

const IDENTITY = (name: string) => ({
  GIT_AUTHOR_NAME: name,
  GIT_AUTHOR_EMAIL: 'kiln@localhost',
  GIT_COMMITTER_NAME: 'Kiln',
  GIT_COMMITTER_EMAIL: 'kiln@localhost',
});

export type PushOutcome = 'pushed' | 'behind';

/** Pushes HEAD to `refs/heads/<branch>` without force; a non-fast-forward is `behind`, other refusals throw. */
export async function pushHead(
  dir: string,
  branch: string,
  env: Record<string, string>,
): Promise<PushOutcome> {
  try {
    await git(['push', 'source', `HEAD:refs/heads/${branch}`], { cwd: dir, env, timeoutMs: 10 * 60_000 });
    return 'pushed';
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    const text = err.stderr;
    if (/\[rejected\]|non-fast-forward|fetch first/.test(text) && !/remote rejected/.test(text))
      return 'behind';
    if (/remote rejected|hook declined/.test(text))
      throw new ApiFailure(
        'git_failed',
        `the remote refused the push to ${branch}: ${lastLines(text)}`,
        text,
      );
    throw new ApiFailure('git_failed', `pushing to ${branch} failed: ${lastLines(text)}`, text);
  }
}

/** Fetches the remote branch and replays HEAD's commit onto it; a conflict leaves everything as it was (409). */
export async function rebaseOnto(
  dir: string,
  branch: string,
  env: Record<string, string>,
  author: string,
): Promise<void> {
  await git(['fetch', '--quiet', 'source', `refs/heads/${branch}`], {
    cwd: dir,
    env,
    timeoutMs: 10 * 60_000,
  });
  try {
    await git(['rebase', '--quiet', 'FETCH_HEAD'], { cwd: dir, env: { ...env, ...IDENTITY(author) } });
  } catch (err) {
    await git(['rebase', '--abort'], { cwd: dir }).catch(() => undefined);
    const detail = err instanceof GitError ? err.stderr : String(err);
    throw new ApiFailure(
      'conflict',
      `${branch} moved on the remote and the change does not rebase cleanly onto it; nothing was pushed. Pick the new head as baseline, or commit to a new branch.`,
      detail,
    );
  }
}

export function identity(author: string): Record<string, string> {
  return IDENTITY(author);
}

function lastLines(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.replace(/^remote:\s*/, '').trim())
      .filter((l) => l && !l.startsWith('To ') && l !== 'Done')
      .slice(-3)
      .join(' / ') || 'no message'
  );
}
