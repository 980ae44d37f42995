import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from './run-git.js';

/** A ref with a git bundle of the commits it needs beyond the upstream's branches and tags. */
export interface RefBundle {
  ref: string;
  sha: string;
  bundle: Uint8Array;
}

/**
 * Bundles refs of a mirror, leaving out what its upstream's branches and tags hold (which every
 * server's mirror clones anyway). A ref the upstream already holds whole gets an empty bundle.
 */
export async function bundleRefs(
  mirror: string,
  refs: ReadonlyArray<{ ref: string; sha: string }>,
): Promise<RefBundle[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-bundle-'));
  try {
    const out: RefBundle[] = [];
    for (const [i, r] of refs.entries()) {
      const file = path.join(dir, `${i}.bundle`);
      const made = await git(['bundle', 'create', '--quiet', file, r.ref, '--not', '--branches', '--tags'], {
        cwd: mirror,
      }).then(
        () => true,
        // "Refusing to create empty bundle": the upstream holds the ref's commits already.
        (err: unknown) => {
          if (/empty bundle/i.test(String(err))) return false;
          throw err;
        },
      );
      out.push({ ...r, bundle: made ? await readFile(file) : new Uint8Array() });
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Puts stored refs back into a mirror where they are missing or differ; returns the refs set. */
export async function restoreRefs(mirror: string, stored: readonly RefBundle[]): Promise<string[]> {
  const have = new Map<string, string>();
  const listed = await git(['for-each-ref', '--format=%(refname) %(objectname)'], { cwd: mirror });
  for (const line of listed.split('\n')) {
    const [ref, sha] = line.split(' ');
    if (ref && sha) have.set(ref, sha);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-bundle-'));
  const done: string[] = [];
  try {
    for (const [i, r] of stored.entries()) {
      if (have.get(r.ref) === r.sha) continue;
      try {
        if (r.bundle.length > 0) {
          const file = path.join(dir, `${i}.bundle`);
          await writeFile(file, r.bundle);
          await git(['fetch', '--quiet', '--no-write-fetch-head', file, `+${r.ref}:${r.ref}`], {
            cwd: mirror,
          });
        } else {
          await git(['update-ref', r.ref, r.sha], { cwd: mirror });
        }
        done.push(r.ref);
      } catch {
        // The upstream lost the commits the bundle builds on (a rewritten branch): this ref
        // cannot come back here; the others still do.
      }
    }
    return done;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
