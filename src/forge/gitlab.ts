import { Gitlab } from '@gitbeaker/rest';
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

const MergeRequest = z.object({ web_url: z.string(), iid: z.number().int() });
const Statuses = z.array(
  z.object({ name: z.string(), status: z.string(), target_url: z.string().nullable().optional() }),
);
const Notes = z.array(
  z.object({
    id: z.number().int(),
    body: z.string(),
    author: z.object({ username: z.string() }),
    created_at: z.string(),
    system: z.boolean().optional(),
  }),
);
const Comments = z.array(
  z.object({
    note: z.string(),
    author: z.object({ username: z.string() }),
    created_at: z.string().optional(),
  }),
);

function state(s: string): CiState {
  switch (s) {
    case 'success':
    case 'skipped':
      return 'passed';
    case 'running':
      return 'running';
    case 'failed':
      return 'failed';
    case 'canceled':
    case 'canceling':
      return 'cancelled';
    default:
      return 'pending';
  }
}

/** GitLab.com and self-hosted GitLab through gitbeaker: merge requests, commit statuses, commit comments. */
export class GitLabForge implements Forge {
  readonly kind = 'gitlab' as const;
  readonly supportsPullRequests = true;
  private readonly api: InstanceType<typeof Gitlab>;
  private readonly project: string;

  constructor(
    host: string,
    token: string,
    repo: RepoRef,
    private readonly webUrl: string,
  ) {
    this.api = new Gitlab({ host, token });
    this.project = `${repo.owner}/${repo.name}`;
  }

  async createPullRequest(input: PullRequestInput): Promise<PullRequest> {
    const mr = MergeRequest.parse(
      await this.call(() =>
        this.api.MergeRequests.create(this.project, input.head, input.base, input.title, {
          description: input.body,
        }),
      ),
    );
    return { url: mr.web_url, number: mr.iid };
  }

  async commitChecks(sha: string): Promise<CiCheck[]> {
    const statuses = Statuses.parse(await this.call(() => this.api.Commits.allStatuses(this.project, sha)));
    return statuses.map((s) => ({ name: s.name, state: state(s.status), url: s.target_url ?? null }));
  }

  async cmlReports(sha: string): Promise<CmlReport[]> {
    const comments = Comments.parse(await this.call(() => this.api.Commits.allComments(this.project, sha)));
    return comments
      .filter((c) => isCmlReport(c.note))
      .map((c) => ({
        url: `${this.webUrl}/-/commit/${sha}#notes-list`,
        author: c.author.username,
        createdAt: c.created_at ?? '',
      }));
  }

  async pullRequestReports(iid: number): Promise<CmlReport[]> {
    const notes = Notes.parse(await this.call(() => this.api.MergeRequestNotes.all(this.project, iid)));
    return notes
      .filter((n) => !n.system && isCmlReport(n.body))
      .map((n) => ({
        url: `${this.webUrl}/-/merge_requests/${iid}#note_${n.id}`,
        author: n.author.username,
        createdAt: n.created_at,
      }));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const cause = err instanceof Error ? err.cause : undefined;
      const response =
        typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'response') : undefined;
      const status = response instanceof Response ? response.status : null;
      const description =
        typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'description') : undefined;
      const message =
        typeof description === 'string' ? description : err instanceof Error ? err.message : String(err);
      throw new ForgeError('gitlab', status, message);
    }
  }
}
