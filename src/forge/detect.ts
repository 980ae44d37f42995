import type { ForgeHost, ForgeKind } from '../contracts/ci.js';
import type { RepoRef } from './port.js';

export interface RemoteLocation {
  host: string;
  /** Path without leading slash or `.git`, e.g. `group/sub/project`. */
  path: string;
  /** Scheme used for web/API URLs derived from this remote. */
  scheme: 'https' | 'http';
}

/** Parses https, http, ssh and scp-style (`git@host:path`) remotes; local paths give null. */
export function parseRemote(url: string): RemoteLocation | null {
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(url);
  let host: string;
  let path: string;
  let scheme: 'https' | 'http' = 'https';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return null;
    }
    if (u.protocol === 'file:') return null;
    host = u.port && u.protocol.startsWith('http') ? `${u.hostname}:${u.port}` : u.hostname;
    if (u.protocol === 'http:') scheme = 'http';
    path = decodeURIComponent(u.pathname);
  } else if (scp && !url.startsWith('/') && !/^[A-Za-z]:\\/.test(url)) {
    host = scp[1] ?? '';
    path = scp[2] ?? '';
  } else return null;
  path = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  if (!host || !path.includes('/')) return null;
  return { host: host.toLowerCase(), path, scheme };
}

/** `host/path` in lower case: two remotes of one repository (https and ssh) compare equal. */
export function repoKey(url: string): string | null {
  const r = parseRemote(url);
  return r ? `${r.host.replace(/:\d+$/, '')}/${r.path.toLowerCase()}` : null;
}

export interface DetectedForge {
  kind: ForgeKind;
  /** The API base URL the adapter talks to; empty for plain Git. */
  apiUrl: string;
  /** The forge's web URL of the repository; empty for plain Git. */
  webUrl: string;
  repo: RepoRef;
}

function defaultApi(kind: ForgeKind, origin: string, host: string): string {
  switch (kind) {
    case 'github':
      return host === 'github.com' ? 'https://api.github.com' : `${origin}/api/v3`;
    case 'gitlab':
      return origin;
    case 'bitbucket':
      return host === 'bitbucket.org' ? 'https://api.bitbucket.org/2.0' : `${origin}/2.0`;
    case 'gitea':
      return `${origin}/api/v1`;
    case 'git':
      return '';
  }
}

/**
 * Detects the forge from a remote URL: configured hosts first (GitHub Enterprise, self-hosted
 * GitLab, Gitea), then the public forges by host name; anything else is plain Git.
 */
export function detectForge(source: string, hosts: readonly ForgeHost[] = []): DetectedForge {
  const loc = parseRemote(source);
  const plain: DetectedForge = { kind: 'git', apiUrl: '', webUrl: '', repo: { owner: '', name: '' } };
  if (!loc) return plain;
  const bare = loc.host.replace(/:\d+$/, '');
  const configured = hosts.find((h) => h.host.toLowerCase() === loc.host || h.host.toLowerCase() === bare);
  const kind: ForgeKind =
    configured?.kind ??
    (bare === 'github.com'
      ? 'github'
      : bare === 'gitlab.com'
        ? 'gitlab'
        : bare === 'bitbucket.org'
          ? 'bitbucket'
          : bare === 'codeberg.org' || bare === 'gitea.com'
            ? 'gitea'
            : 'git');
  if (kind === 'git') return plain;
  const cut = loc.path.lastIndexOf('/');
  const origin = `${loc.scheme}://${/^(ssh|git)\b/.test(source) || !source.includes('://') ? bare : loc.host}`;
  return {
    kind,
    apiUrl: (configured?.apiUrl ?? defaultApi(kind, origin, bare)).replace(/\/+$/, ''),
    webUrl: `${origin}/${loc.path}`,
    repo: { owner: loc.path.slice(0, cut), name: loc.path.slice(cut + 1) },
  };
}
