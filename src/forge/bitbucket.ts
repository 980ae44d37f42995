import { z } from 'zod';
import type { CiCheck, CiState, CmlReport } from '../contracts/ci.js';
import { forgeJson } from './http.js';
import { isCmlReport, type Forge, type PullRequest, type PullRequestInput, type RepoRef } from './port.js';

const Link = z.object({ href: z.string() });
const Pull = z.object({ id: z.number().int(), links: z.object({ html: Link }) });
const Statuses = z.object({
  values: z.array(
    z.object({
      key: z.string(),
      name: z.string().nullable().optional(),
      state: z.string(),
      url: z.string().nullable().optional(),
    }),
  ),
});
const Comments = z.object({
  values: z.array(
    z.object({
      content: z.object({ raw: z.string() }),
      user: z.object({ display_name: z.string() }).nullable().optional(),
      created_on: z.string(),
      links: z.object({ html: Link.optional() }),
    }),
  ),
});

function state(s: string): CiState {
  if (s === 'SUCCESSFUL') return 'passed';
  if (s === 'INPROGRESS') return 'running';
  if (s === 'STOPPED') return 'cancelled';
  return 'failed';
}

/**
 * Bitbucket Cloud's REST API 2.0. A token with a username authenticates as an app password
 * (Basic); without one as a repository/workspace access token (Bearer).
 */
export class BitbucketForge implements Forge {
  readonly kind = 'bitbucket' as const;
  readonly supportsPullRequests = true;
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(apiUrl: string, auth: { username?: string | undefined; token: string } | null, repo: RepoRef) {
    this.base = `${apiUrl}/repositories/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
    this.headers = !auth
      ? {}
      : auth.username
        ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.token}`).toString('base64')}` }
        : { authorization: `Bearer ${auth.token}` };
  }

  async createPullRequest(input: PullRequestInput): Promise<PullRequest> {
    const pr = await forgeJson(
      'bitbucket',
      `${this.base}/pullrequests`,
      {
        method: 'POST',
        headers: this.headers,
        body: {
          title: input.title,
          description: input.body,
          source: { branch: { name: input.head } },
          destination: { branch: { name: input.base } },
        },
      },
      Pull,
    );
    return { url: pr.links.html.href, number: pr.id };
  }

  async commitChecks(sha: string): Promise<CiCheck[]> {
    const r = await forgeJson(
      'bitbucket',
      `${this.base}/commit/${sha}/statuses?pagelen=100`,
      { headers: this.headers },
      Statuses,
    );
    return r.values.map((s) => ({ name: s.name ?? s.key, state: state(s.state), url: s.url ?? null }));
  }

  async cmlReports(sha: string): Promise<CmlReport[]> {
    const r = await forgeJson(
      'bitbucket',
      `${this.base}/commit/${sha}/comments?pagelen=100`,
      { headers: this.headers },
      Comments,
    );
    return reports(r.values);
  }

  async pullRequestReports(id: number): Promise<CmlReport[]> {
    const r = await forgeJson(
      'bitbucket',
      `${this.base}/pullrequests/${id}/comments?pagelen=100`,
      { headers: this.headers },
      Comments,
    );
    return reports(r.values);
  }
}

function reports(values: z.infer<typeof Comments>['values']): CmlReport[] {
  return values
    .filter((c) => isCmlReport(c.content.raw))
    .map((c) => ({
      url: c.links.html?.href ?? '',
      author: c.user?.display_name ?? '',
      createdAt: c.created_on,
    }));
}
