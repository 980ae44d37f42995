import { git } from './run-git.js';

/** An experiment `dvc exp push` stored: `refs/exps/<baseline[:2]>/<baseline[2:]>/<name>`. */
export interface ExpRef {
  ref: string;
  baseline: string;
  name: string;
  /** the experiment's commit (the tip, for a chain of checkpoint commits) */
  sha: string;
}

const EXP_REF = /^refs\/exps\/([0-9a-f]{2})\/([0-9a-f]{38})\/([^/].*)$/;

/** The experiment refs of a repository (DVC's own bookkeeping refs such as refs/exps/exec are not experiments). */
export async function listExpRefs(gitDir: string): Promise<ExpRef[]> {
  const out = await git(['for-each-ref', '--format=%(objectname) %(objecttype) %(refname)', 'refs/exps'], {
    cwd: gitDir,
  });
  const refs: ExpRef[] = [];
  for (const line of out.split('\n')) {
    const [sha = '', type = '', ...rest] = line.split(' ');
    const ref = rest.join(' ');
    const m = EXP_REF.exec(ref);
    if (!m || type !== 'commit') continue;
    refs.push({ ref, baseline: `${m[1] ?? ''}${m[2] ?? ''}`, name: m[3] ?? '', sha });
  }
  return refs;
}

export interface CommitMeta {
  sha: string;
  parents: string[];
  author: string;
  date: string;
  message: string;
}

/** Author, date, parents and message of each commit, in one git process. */
export async function readCommits(gitDir: string, shas: readonly string[]): Promise<Map<string, CommitMeta>> {
  const out = new Map<string, CommitMeta>();
  if (shas.length === 0) return out;
  const text = await git(
    ['log', '--no-walk=unsorted', '--format=%x1e%H%x1f%P%x1f%an%x1f%aI%x1f%B', '--stdin'],
    {
      cwd: gitDir,
      input: shas.join('\n') + '\n',
    },
  );
  for (const chunk of text.split('\x1e')) {
    if (!chunk) continue;
    const [sha = '', parents = '', author = '', date = '', ...rest] = chunk.split('\x1f');
    out.set(sha, {
      sha,
      parents: parents ? parents.split(' ') : [],
      author,
      date,
      message: rest.join('\x1f').replace(/\n+$/, ''),
    });
  }
  return out;
}

/** Every file of a commit that `keep` accepts: path → blob id. */
export async function treeFiles(
  gitDir: string,
  sha: string,
  keep: (path: string) => boolean,
): Promise<Map<string, string>> {
  const text = await git(['ls-tree', '-r', '-z', '--full-tree', sha], { cwd: gitDir });
  const files = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type = '', oid = ''] = entry.slice(0, tab).split(' ');
    const p = entry.slice(tab + 1);
    if (type === 'blob' && keep(p)) files.set(p, oid);
  }
  return files;
}
