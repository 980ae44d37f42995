import type { ForgeHost } from '../contracts/ci.js';
import { BitbucketForge } from './bitbucket.js';
import { detectForge } from './detect.js';
import { GiteaForge } from './gitea.js';
import { GitHubForge } from './github.js';
import { GitLabForge } from './gitlab.js';
import { PlainGitForge } from './plain.js';
import { ForgeError, type Forge } from './port.js';

/** The API token: the project's HTTPS token (forges accept the same token for Git and API). */
export interface ForgeAuth {
  username?: string | undefined;
  token: string;
}

/** Chooses the adapter for a remote, once, from its URL and the configured hosts. */
export function openForge(source: string, hosts: readonly ForgeHost[], auth: ForgeAuth | null): Forge {
  const d = detectForge(source, hosts);
  switch (d.kind) {
    case 'github':
      return new GitHubForge(d.apiUrl, auth?.token ?? null, d.repo);
    case 'gitlab':
      if (!auth)
        throw new ForgeError(
          'gitlab',
          null,
          'the GitLab API needs the project to have an HTTPS access token',
        );
      return new GitLabForge(d.apiUrl, auth.token, d.repo, d.webUrl);
    case 'bitbucket':
      return new BitbucketForge(d.apiUrl, auth, d.repo);
    case 'gitea':
      return new GiteaForge(d.apiUrl, auth?.token ?? null, d.repo);
    case 'git':
      return new PlainGitForge();
  }
}
