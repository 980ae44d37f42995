import { Octokit } from '@octokit/rest';
import { z } from 'zod';
import type { CiCheck, CiState, CmlReport } from '../contracts/ci.js';
import {
  ForgeError,
  isCmlReport,
  type Forge,
  type PullRequest,
  type PullRequestInput,
  type RepoRef,
} from './port.js';

const Pull = z.object({ html_url: z.string(), number: z.number().int() });
const Combined = z.object({
  statuses: z.array(z.object({ context: z.string(), state: z.string(), target_url: z.string().nullable() })),
});
const CheckRuns = z.object({
  check_runs: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      conclusion: z.string().nullable(),
      html_url: z.string().nullable(),
    }),
  ),
});
const Comments = z.array(
  z.object({
    html_url: z.string(),
    body: z.string(),
    created_at: z.string(),
    user: z.object({ login: z.string() }).nullable(),
  }),
);

// Failures reach the caller as ForgeError; Octokit's own console logging would duplicate them.
const noop = () => undefined;
const QUIET = { debug: noop, info: noop, warn: noop, error: noop };

function statusState(s: string): CiState {
  if (s === 'success') return 'passed';
  if (s === 'pending') return 'pending';
  return 'failed';
}

function checkState(status: string, conclusion: string | null): CiState {
  if (status === 'in_progress') return 'running';
  if (status !== 'completed') return 'pending';
  if (conclusion === 'success' || conclusion === 'neutral' || conclusion === 'skipped') return 'passed';
  if (conclusion === 'cancelled' || conclusion === 'stale') return 'cancelled';
  return 'failed';
}

/** GitHub and GitHub Enterprise through Octokit: pull requests, statuses + check runs, commit comments. */
export class GitHubForge implements Forge {
  readonly kind = 'github' as const;
  readonly supportsPullRequests = true;
  private readonly octokit: Octokit;

  constructor(
    apiUrl: string,
    token: string | null,
    private readonly repo: RepoRef,
  ) {
    this.octokit = new Octokit({ baseUrl: apiUrl, ...(token ? { auth: token } : {}), log: QUIET });
  }

  async createPullRequest(input: PullRequestInput): Promise<PullRequest> {
    const res = await this.call(() =>
      this.octokit.pulls.create({ owner: this.repo.owner, repo: this.repo.name, ...input }),
    );
    const pr = Pull.parse(res.data);
    return { url: pr.html_url, number: pr.number };
  }

  async commitChecks(sha: string): Promise<CiCheck[]> {
    const ref = { owner: this.repo.owner, repo: this.repo.name, ref: sha };
    const [combined, runs] = await Promise.all([
      this.call(() => this.octokit.repos.getCombinedStatusForRef({ ...ref, per_page: 100 })),
      this.call(() => this.octokit.checks.listForRef({ ...ref, per_page: 100 })),
    ]);
    return [
      ...Combined.parse(combined.data).statuses.map((s) => ({
        name: s.context,
        state: statusState(s.state),
        url: s.target_url,
      })),
      ...CheckRuns.parse(runs.data).check_runs.map((c) => ({
        name: c.name,
        state: checkState(c.status, c.conclusion),
        url: c.html_url,
      })),
    ];
  }

  async cmlReports(sha: string): Promise<CmlReport[]> {
    const res = await this.call(() =>
      this.octokit.repos.listCommentsForCommit({
        owner: this.repo.owner,
        repo: this.repo.name,
        commit_sha: sha,
        per_page: 100,
      }),
    );
    return Comments.parse(res.data)
      .filter((c) => isCmlReport(c.body))
      .map((c) => ({ url: c.html_url, author: c.user?.login ?? '', createdAt: c.created_at }));
  }

  async pullRequestReports(number: number): Promise<CmlReport[]> {
    // A pull request's conversation is its issue's comments.
    const res = await this.call(() =>
      this.octokit.issues.listComments({
        owner: this.repo.owner,
        repo: this.repo.name,
        issue_number: number,
        per_page: 100,
      }),
    );
    return Comments.parse(res.data)
      .filter((c) => isCmlReport(c.body))
      .map((c) => ({ url: c.html_url, author: c.user?.login ?? '', createdAt: c.created_at }));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const status = typeof err === 'object' && err !== null ? Reflect.get(err, 'status') : undefined;
      throw new ForgeError(
        'github',
        typeof status === 'number' ? status : null,
        err instanceof Error ? err.message : String(err),
      );
    }
  }
}
