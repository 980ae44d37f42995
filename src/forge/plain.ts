import type { CiCheck, CmlReport } from '../contracts/ci.js';
import { ForgeError, type Forge, type PullRequest } from './port.js';

/** Plain Git: Kiln pushes, but there is no forge API for pull requests, statuses or comments. */
export class PlainGitForge implements Forge {
  readonly kind = 'git' as const;
  readonly supportsPullRequests = false;

  async createPullRequest(): Promise<PullRequest> {
    throw new ForgeError('git', null, 'plain Git remotes have no pull requests');
  }

  async commitChecks(): Promise<CiCheck[]> {
    return [];
  }

  async cmlReports(): Promise<CmlReport[]> {
    return [];
  }

  async pullRequestReports(): Promise<CmlReport[]> {
    return [];
  }
}
