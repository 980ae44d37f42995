import { mkdir, mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from './run-git.js';

export type Credentials =
  | { kind: 'https-token'; username?: string | undefined; token: string }
  | { kind: 'ssh-key'; privateKey: string };

/**
 * Environment that lets git authenticate without putting a secret on a command line or in a
 * URL: an askpass script reads the token from the environment; an SSH key goes to a 0600 file.
 * Returns the env and a cleanup that removes the temp files.
 */
export async function credentialEnv(
  creds: Credentials | null,
): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (!creds) return { env: {}, cleanup: async () => undefined };
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-cred-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  if (creds.kind === 'https-token') {
    const askpass = path.join(dir, 'askpass.sh');
    await writeFile(
      askpass,
      '#!/bin/sh\ncase "$1" in\n  Username*) printf "%s\\n" "$KILN_GIT_USERNAME" ;;\n  *) printf "%s\\n" "$KILN_GIT_TOKEN" ;;\nesac\n',
      { mode: 0o700 },
    );
    return {
      env: {
        GIT_ASKPASS: askpass,
        KILN_GIT_USERNAME: creds.username ?? 'x-access-token',
        KILN_GIT_TOKEN: creds.token,
      },
      cleanup,
    };
  }
  const keyFile = path.join(dir, 'id');
  await writeFile(keyFile, creds.privateKey.endsWith('\n') ? creds.privateKey : creds.privateKey + '\n', {
    mode: 0o600,
  });
  await chmod(keyFile, 0o600);
  return {
    env: {
      GIT_SSH_COMMAND: `ssh -i ${keyFile} -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes`,
    },
    cleanup,
  };
}

/** Turns a local path source into an absolute path; URLs pass through. */
export function normalizeSource(source: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^[^/\\]+@[^:]+:/.test(source)) return source;
  return path.resolve(base, source);
}

/** Creates (first time) or fetches a bare mirror of `source` at `dir`. */
export async function syncMirror(dir: string, source: string, creds: Credentials | null): Promise<void> {
  const { env, cleanup } = await credentialEnv(creds);
  try {
    if (!existsSync(path.join(dir, 'HEAD'))) {
      await mkdir(path.dirname(dir), { recursive: true });
      const tmp = `${dir}.partial`;
      await rm(tmp, { recursive: true, force: true });
      await git(['clone', '--mirror', '--quiet', '--', source, tmp], {
        cwd: path.dirname(dir),
        env,
        timeoutMs: 30 * 60_000,
      });
      await rm(dir, { recursive: true, force: true });
      const { rename } = await import('node:fs/promises');
      await rename(tmp, dir);
      // A commit-graph makes every later history walk (table builds, reloads) several times faster.
      await git(['commit-graph', 'write', '--reachable'], { cwd: dir });
    } else {
      await git(['remote', 'set-url', 'origin', '--', source], { cwd: dir });
      // Kiln's own refs (run checkpoints) live only in the mirror: a pruning fetch keeps them.
      await git(['config', '--replace-all', 'remote.origin.fetch', '^refs/kiln/*', '^\\^refs/kiln/'], {
        cwd: dir,
      });
      await git(['-c', 'fetch.writeCommitGraph=true', 'fetch', '--prune', '--quiet', 'origin'], {
        cwd: dir,
        env,
        timeoutMs: 30 * 60_000,
      });
    }
  } finally {
    await cleanup();
  }
}
