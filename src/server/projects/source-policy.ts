import { lookup } from 'node:dns/promises';
import { realpath } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiFailure } from '../api-error.js';

/** Where this server may fetch projects from; set by an admin (README's configuration table). */
export interface SourcePolicy {
  /** Local directories (and file:// URLs) only under these. */
  roots: readonly string[];
  /** The data dir: nothing in it is a source (mirrors, workspaces), but for a root inside it (the demo). */
  home: string;
  /** Whether URL sources may point at loopback, link-local and private addresses. */
  allowPrivate: boolean;
}

const V4_PRIVATE: Array<[number, number]> = [
  [0x00000000, 8], // 0.0.0.0/8
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 (carrier-grade NAT)
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata (169.254.169.254)
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
];

function v4Private(ip: string): boolean {
  const n = ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  return V4_PRIVATE.some(
    ([net, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)),
  );
}

/** Loopback, link-local, private (and unspecified) addresses, v4, v6 and v4-mapped v6. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) return v4Private(ip);
  const a = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped?.[1]) return v4Private(mapped[1]);
  if (a === '::' || a === '::1') return true;
  // fe80::/10 link-local, fc00::/7 unique local
  return /^fe[89ab]/.test(a) || /^f[cd]/.test(a);
}

function under(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function real(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

/** The host of a Git URL (`scheme://[user@]host[:port]/…` or scp-like `user@host:path`). */
function hostOf(source: string): string | null {
  const scp = /^[^/\\@]+@([^:/]+):/.exec(source);
  if (scp?.[1] && !/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return scp[1];
  try {
    return new URL(source).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

/**
 * Refuses a project source this server must not read: a local path (or file:// URL) outside the
 * admin's roots or inside the data dir (another project's mirror), a URL scheme other than Git's
 * own, or a URL whose host is (or resolves to) a loopback, link-local or private address unless
 * the admin allows them. The message never says whether the path or host exists or answers, so
 * a refused source cannot be used to probe the server's machine or network.
 */
export async function checkSource(given: string, source: string, p: SourcePolicy): Promise<void> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  const local =
    scheme === 'file'
      ? safeFilePath(source)
      : scheme === undefined && path.isAbsolute(source)
        ? source
        : null;
  if (local !== null || scheme === 'file') {
    const file = await real(local ?? '/');
    const home = await real(p.home);
    const roots = await Promise.all(p.roots.map(real));
    const by = roots.filter((r) => under(file, r));
    // In the data dir only what a root inside it names (the demo): never a mirror or a workspace.
    const ok = by.length > 0 && (!under(file, home) || by.some((r) => r !== home && under(r, home)));
    if (!ok)
      throw new ApiFailure(
        'bad_request',
        `source "${given}" is not under a directory this server may read projects from: an admin can add one to KILN_SOURCE_ROOTS`,
      );
    return;
  }
  if (scheme !== undefined && !['http', 'https', 'ssh', 'git', 'git+ssh', 'ssh+git'].includes(scheme))
    throw new ApiFailure(
      'bad_request',
      `source "${given}" uses ${scheme}://: use an http(s), ssh or git URL`,
    );
  if (p.allowPrivate) return;
  const host = hostOf(source);
  if (!host)
    throw new ApiFailure('bad_request', `source "${given}" is not a Git URL this server understands`);
  const refuse = () =>
    new ApiFailure(
      'bad_request',
      `source "${given}" points at a loopback, link-local or private address, which this server does not fetch from (an admin can allow them with KILN_ALLOW_PRIVATE_SOURCES=1)`,
    );
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw refuse();
    return;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) throw refuse();
  const addrs = await lookup(host, { all: true }).catch(() => []);
  if (addrs.some((a) => isPrivateAddress(a.address))) throw refuse();
}

function safeFilePath(url: string): string | null {
  try {
    return fileURLToPath(url);
  } catch {
    return null;
  }
}
