import { z } from 'zod';
import type { CiCheck, CiState, CmlReport } from '../contracts/ci.js';
import { forgeJson } from './http.js';
import type { Forge, PullRequest, PullRequestInput, RepoRef } from './port.js';

const Pull = z.object({ number: z.number().int(), html_url: z.string() });
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

/** Gitea (and Forgejo) API v1: pull requests and commit statuses; Gitea has no commit comments. */
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
}
