import type { CommitCi } from '../../contracts/ci.js';
import { combineStates } from '../../core/ci/ci-state.js';
import { openForge } from '../../forge/open-forge.js';
import { git } from '../../git/run-git.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { ProjectService } from '../projects/project-service.js';
import type { SecretBox } from '../secrets.js';
import type { CiSettingsStore } from './ci-settings.js';
import { projectAccess } from './project-access.js';

/** A commit's CI state and CML reports, read from the project's forge. Forge failures become a note. */
export async function commitCi(
  deps: { store: Store; box: SecretBox; projects: ProjectService; settings: CiSettingsStore },
  name: string,
  rev: string,
): Promise<CommitCi> {
  const { rec, creds } = await projectAccess(deps.store, deps.box, name);
  const sha = (
    await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
      cwd: deps.projects.mirrorDir(name),
    }).catch(() => '')
  ).trim();
  if (!sha) throw new ApiFailure('not_found', `no commit "${rev}" in project "${name}"`);
  const auth = creds?.kind === 'https-token' ? { username: creds.username, token: creds.token } : null;
  let forge;
  try {
    forge = openForge(rec.source, (await deps.settings.get()).hosts, auth);
  } catch (err) {
    return { rev: sha, forge: 'git', state: 'none', checks: [], reports: [], note: String(err) };
  }
  if (forge.kind === 'git')
    return {
      rev: sha,
      forge: 'git',
      state: 'none',
      checks: [],
      reports: [],
      note: 'plain Git remote: no CI status to read',
    };
  try {
    const [checks, reports] = await Promise.all([forge.commitChecks(sha), forge.cmlReports(sha)]);
    return { rev: sha, forge: forge.kind, state: combineStates(checks), checks, reports, note: null };
  } catch (err) {
    return {
      rev: sha,
      forge: forge.kind,
      state: 'none',
      checks: [],
      reports: [],
      note: err instanceof Error ? err.message : String(err),
    };
  }
}
