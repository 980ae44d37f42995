import type { CiCheck, CmlReport, ForgeKind } from '../contracts/ci.js';

/** A repository on a forge: `owner` may hold slashes (GitLab subgroups). */
export interface RepoRef {
  owner: string;
  name: string;
}

export interface PullRequestInput {
  head: string;
  base: string;
  title: string;
  body: string;
}

export interface PullRequest {
  url: string;
  number: number;
}

/** The forge port: what Kiln asks of GitHub, GitLab, Bitbucket, Gitea — or of plain Git. */
export interface Forge {
  readonly kind: ForgeKind;
  readonly supportsPullRequests: boolean;
  createPullRequest(input: PullRequestInput): Promise<PullRequest>;
  /** Statuses and checks reported on a commit. */
  commitChecks(sha: string): Promise<CiCheck[]>;
  /** Comments on a commit that `cml comment create` wrote. */
  cmlReports(sha: string): Promise<CmlReport[]>;
  /** Comments on a pull request that `cml comment create --pr` wrote. */
  pullRequestReports(number: number): Promise<CmlReport[]>;
}

/** A forge API call that failed, with the forge's answer. The only error forge adapters throw. */
export class ForgeError extends Error {
  constructor(
    readonly forge: ForgeKind,
    readonly status: number | null,
    message: string,
  ) {
    super(`${forge}: ${message}`);
    this.name = 'ForgeError';
  }
}

/** CML marks its comments with a watermark image (`cml.dev/watermark.png`, title "CML watermark"). */
export function isCmlReport(body: string): boolean {
  return /cml\.dev\/watermark|CML watermark/i.test(body);
}
