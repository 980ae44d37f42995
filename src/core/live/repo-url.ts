/**
 * A repo URL reduced to `host/owner/repo` (lower-case host, no scheme, user, port, or `.git`),
 * so `git@host:o/r.git`, `https://host/o/r` and `ssh://git@host/o/r.git` compare equal.
 * Local paths and `file://` URLs reduce to their absolute path without a trailing `.git` or `/`.
 */
export function normalizeRepoUrl(raw: string): string {
  let s = raw.trim();
  const stripTail = (p: string) =>
    p
      .replace(/\/+$/, '')
      .replace(/\.git$/, '')
      .replace(/\/+$/, '');
  if (s.startsWith('file://')) return stripTail(decodeURIComponent(s.slice('file://'.length)));
  if (s.startsWith('/')) return stripTail(s);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(s);
  let host: string;
  let rest: string;
  if (scheme?.[2] !== undefined) {
    s = scheme[2];
    const slash = s.indexOf('/');
    const authority = slash === -1 ? s : s.slice(0, slash);
    rest = slash === -1 ? '' : s.slice(slash + 1);
    host = authority.replace(/^[^@]*@/, '').replace(/:\d*$/, '');
  } else {
    // scp-like syntax: [user@]host:path
    const m = /^(?:[^@/]+@)?([^:/]+):(.*)$/.exec(s);
    if (!m?.[1] || m[2] === undefined) return stripTail(s);
    host = m[1];
    rest = m[2];
  }
  const pathPart = stripTail(rest.replace(/^\/+/, '').replace(/^~[^/]*\//, ''));
  return `${host.toLowerCase()}/${pathPart}`;
}

/** True when two repo URLs name the same repository. */
export function sameRepo(a: string, b: string): boolean {
  return normalizeRepoUrl(a) === normalizeRepoUrl(b);
}
