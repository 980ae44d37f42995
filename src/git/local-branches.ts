import { git } from './run-git.js';

/**
 * Branches Kiln made in a mirror without pushing them (`push: false`). The source never has
 * them, so a pruning fetch deletes `refs/heads/<name>`; a copy under this prefix (which the
 * mirror's fetch refspec leaves alone) lets Kiln put it back after each fetch.
 */
const KEEP = 'refs/kiln/branches/';

/** Records a branch made only in the mirror so that fetches keep it. */
export async function keepLocalBranch(mirror: string, branch: string, sha: string): Promise<void> {
  await git(['update-ref', `${KEEP}${branch}`, sha], { cwd: mirror });
}

/**
 * After a pruning fetch: puts back each kept branch the fetch deleted. A branch of that name
 * that the source now has came from the source (the fetch overwrote ours), so the source's is
 * the one to show and the copy is dropped: from then on it follows the source like any branch.
 */
export async function restoreLocalBranches(mirror: string): Promise<void> {
  const out = await git(['for-each-ref', '--format=%(refname) %(objectname)', KEEP], { cwd: mirror });
  for (const line of out.split('\n').filter(Boolean)) {
    const [ref = '', sha = ''] = line.split(' ');
    const branch = `refs/heads/${ref.slice(KEEP.length)}`;
    const exists = await git(['rev-parse', '--verify', '--quiet', branch], { cwd: mirror }).then(
      () => true,
      () => false,
    );
    if (exists) await git(['update-ref', '-d', ref], { cwd: mirror });
    else await git(['update-ref', branch, sha, ''], { cwd: mirror });
  }
}
