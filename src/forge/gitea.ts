import { z } from 'zod';
import type { CiCheck, CiState, CmlReport } from '../contracts/ci.js';
import { forgeJson } from './http.js';
import { isCmlReport, type Forge, type PullRequest, type PullRequestInput, type RepoRef } from './port.js';

const Pull = z.object({ number: z.number().int(), html_url: z.string() });
const Comments = z.array(
  z.object({
    html_url: z.string(),
    body: z.string(),
    created_at: z.string(),
    user: z.object({ login: z.string() }).nullable().optional(),
  }),
);
const Combined = z.object({
  statuses: z
    .array(
      z.object({ context: z.string(), status: z.string(), target_url: z.string().nullable().optional() }),
    )
    .nullable(),
});

function state(s: string): CiState {
  if (s === 'success' || s === 'warning') return 'passed';
  if (s === 'pending') return 'pending';
  return 'failed';
}

/** Gitea (and Forgejo) API v1: pull requests, commit statuses, pull request comments; Gitea has no commit comments. */
export class GiteaForge implements Forge {
  readonly kind = 'gitea' as const;
  readonly supportsPullRequests = true;
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(apiUrl: string, token: string | null, repo: RepoRef) {
    this.base = `${apiUrl}/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
    this.headers = token ? { authorization: `token ${token}` } : {};
  }

  async createPullRequest(input: PullRequestInput): Promise<PullRequest> {
    const pr = await forgeJson(
      'gitea',
      `${this.base}/pulls`,
      { method: 'POST', headers: this.headers, body: input },
      Pull,
    );
    return { url: pr.html_url, number: pr.number };
  }

  async commitChecks(sha: string): Promise<CiCheck[]> {
    const r = await forgeJson(
      'gitea',
      `${this.base}/commits/${sha}/status`,
      { headers: this.headers },
      Combined,
    );
    return (r.statuses ?? []).map((s) => ({
      name: s.context,
      state: state(s.status),
      url: s.target_url ?? null,
    }));
  }

  async cmlReports(): Promise<CmlReport[]> {
    return [];
  }

  async pullRequestReports(number: number): Promise<CmlReport[]> {
    const comments = await forgeJson(
      'gitea',
      `${this.base}/issues/${number}/comments`,
      { headers: this.headers },
      Comments,
    );
    return comments
      .filter((c) => isCmlReport(c.body))
      .map((c) => ({ url: c.html_url, author: c.user?.login ?? '', createdAt: c.created_at }));
  }
}
