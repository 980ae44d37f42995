import type { GitCredentials } from '../../contracts/api.js';
import type { ForgeKind, ProjectForge, PullRequestOutcome } from '../../contracts/ci.js';
import { openForge } from '../../forge/open-forge.js';
import type { PullRequestInput } from '../../forge/port.js';
import type { ProjectRecord } from '../../store/port.js';
import type { CiSettingsStore } from './ci-settings.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function forgeOf(rec: ProjectRecord, creds: GitCredentials | null, hosts: Parameters<typeof openForge>[1]) {
  const token = creds?.kind === 'https-token' ? { username: creds.username, token: creds.token } : null;
  return openForge(rec.source, hosts, token);
}

/** The project's forge as the UI needs to know it before offering a pull request. */
export async function projectForge(
  rec: ProjectRecord,
  creds: GitCredentials | null,
  settings: CiSettingsStore,
): Promise<ProjectForge> {
  try {
    const forge = forgeOf(rec, creds, (await settings.get()).hosts);
    return {
      forge: forge.kind,
      pullRequests: forge.supportsPullRequests,
      note: forge.supportsPullRequests
        ? null
        : 'The remote is plain Git: branches can be pushed, but there are no pull requests.',
    };
  } catch (err) {
    return { forge: 'git', pullRequests: false, note: message(err) };
  }
}

/** Opens a pull request through the project's forge; plain Git and forge refusals come back as data. */
export async function openPullRequest(
  rec: ProjectRecord,
  creds: GitCredentials | null,
  settings: CiSettingsStore,
  input: PullRequestInput,
): Promise<{ forge: ForgeKind; pullRequest: PullRequestOutcome }> {
  let forge;
  try {
    forge = forgeOf(rec, creds, (await settings.get()).hosts);
  } catch (err) {
    return { forge: 'git', pullRequest: { state: 'failed', error: message(err) } };
  }
  if (!forge.supportsPullRequests)
    return {
      forge: forge.kind,
      pullRequest: {
        state: 'none',
        reason: `the remote is plain Git: branch ${input.head} was pushed, but there is no pull request to open`,
      },
    };
  try {
    const pr = await forge.createPullRequest(input);
    return { forge: forge.kind, pullRequest: { state: 'opened', url: pr.url, number: pr.number } };
  } catch (err) {
    return { forge: forge.kind, pullRequest: { state: 'failed', error: message(err) } };
  }
}
