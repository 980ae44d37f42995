import { git } from './run-git.js';

export interface CommitRecord {
  sha: string;
  parents: string[];
  author: string;
  date: string;
  message: string;
  /** Files changed against the first parent (all files for a root commit): path → blob id, null if deleted. */
  changes: Map<string, string | null>;
}

export interface RefRecord {
  name: string;
  kind: 'branch' | 'tag';
  /** The commit the ref points to (annotated tags peeled). */
  sha: string;
}

const ZERO_OID = /^0+$/;

/**
 * Reads commits reachable from `include` and not from `exclude`, newest first (parents always
 * after children), each with its changes against the first parent, filtered by `keepPath`.
 * One `git log` process reads the whole history.
 */
export async function readHistory(
  gitDir: string,
  include: readonly string[],
  exclude: readonly string[],
  keepPath: (path: string) => boolean,
): Promise<CommitRecord[]> {
  if (include.length === 0) return [];
  const out = await git(
    [
      'log',
      '--date-order',
      '--format=%x1e%H%x1f%P%x1f%an%x1f%aI%x1f%B%x1f',
      '--raw',
      '--no-renames',
      '--no-abbrev',
      '--diff-merges=first-parent',
      '-z',
      '--stdin',
    ],
    { cwd: gitDir, input: [...include, ...exclude.map((e) => `^${e}`)].join('\n') + '\n' },
  );
  const commits: CommitRecord[] = [];
  for (const chunk of out.split('\x1e')) {
    if (!chunk) continue;
    const end = chunk.lastIndexOf('\x1f');
    const [sha = '', parents = '', author = '', date = '', ...rest] = chunk.slice(0, end).split('\x1f');
    const changes = new Map<string, string | null>();
    const tokens = chunk.slice(end + 1).split('\0');
    for (let i = 0; i < tokens.length; i++) {
      const meta = tokens[i]?.trim();
      if (!meta?.startsWith(':')) continue;
      const path = tokens[++i];
      if (path === undefined || !keepPath(path)) continue;
      const newOid = meta.split(' ')[3] ?? '';
      changes.set(path, ZERO_OID.test(newOid) ? null : newOid);
    }
    commits.push({
      sha,
      parents: parents ? parents.split(' ') : [],
      author,
      date,
      message: rest.join('\x1f').replace(/\n+$/, ''),
      changes,
    });
  }
  return commits;
}

/** Branches and tags with the commit each points to. */
export async function listRefs(gitDir: string): Promise<RefRecord[]> {
  const out = await git(
    [
      'for-each-ref',
      '--format=%(objectname) %(*objectname) %(objecttype) %(refname)',
      'refs/heads',
      'refs/tags',
    ],
    { cwd: gitDir },
  );
  const refs: RefRecord[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [oid = '', peeled = '', type = '', ...nameParts] = line.split(' ');
    const name = nameParts.join(' ');
    const sha = peeled || oid;
    if (name.startsWith('refs/heads/')) refs.push({ name: name.slice(11), kind: 'branch', sha });
    else if (name.startsWith('refs/tags/') && (type === 'commit' || type === 'tag'))
      refs.push({ name: name.slice(10), kind: 'tag', sha });
  }
  return refs;
}
