/**
 * The shared fixtures (../shared/fixtures), kept in the repository so a clean clone runs its
 * tests and benchmarks with nothing beside it: `make-dvc-project` makes a runnable DVC project
 * repo with a local DVC remote; `live-protocol/` holds requests as DVCLive's client sends them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const FIXTURES_DIR = path.join(import.meta.dirname, 'fixtures');
export const MAKE_DVC_PROJECT = path.join(FIXTURES_DIR, 'make-dvc-project');
export const LIVE_PROTOCOL = path.join(FIXTURES_DIR, 'live-protocol');

/**
 * A bare make-dvc-project repo with `commits` commits and its local DVC remote, in a new temp dir
 * (`tmp`, which the caller removes).
 */
export async function makeBareDvcProject(
  prefix: string,
  commits = 3,
): Promise<{ tmp: string; bare: string; store: string }> {
  const tmp = await mkdtemp(path.join(tmpdir(), prefix));
  const bare = path.join(tmp, 'repo.git');
  const store = path.join(tmp, 'store');
  await promisify(execFile)(MAKE_DVC_PROJECT, [
    bare,
    '--commits',
    String(commits),
    '--bare',
    '--remote',
    store,
  ]);
  return { tmp, bare, store };
}
