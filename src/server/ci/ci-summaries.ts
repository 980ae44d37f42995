import { CiState, type CiSummaries, type CommitCiSummary } from '../../contracts/ci.js';
import { combineStates } from '../../core/ci/ci-state.js';
import { freshFor, newestReport, NO_CI, summaryUrl } from '../../core/ci/summary.js';
import type { Forge } from '../../forge/port.js';
import { openForge } from '../../forge/open-forge.js';
import type { CiCommitRecord, Store } from '../../store/port.js';
import type { EventBus } from '../event-bus.js';
import type { SecretBox } from '../secrets.js';
import { projectAccess } from './project-access.js';
import type { CiSettingsStore } from './ci-settings.js';

export interface SummaryOptions {
  /** Freshness of a pending or running status. */
  activeMs: number;
  /** Freshness of a settled status (passed, failed, cancelled). */
  settledMs: number;
  /** Freshness of a commit no CI reported on. */
  noneMs: number;
  /** Forge reads in flight at once, over all projects. */
  concurrency: number;
  now: () => number;
}

const DEFAULTS: SummaryOptions = {
  activeMs: 20_000,
  settledMs: 10 * 60_000,
  noneMs: 60 * 60_000,
  concurrency: 4,
  now: () => Date.now(),
};

/** Pending events are sent at most this often per project, so a page of refreshes makes one refetch. */
const PUBLISH_DELAY_MS = 250;

function toSummary(r: CiCommitRecord | undefined): CommitCiSummary {
  if (!r) return NO_CI;
  const state = CiState.safeParse(r.state);
  return {
    state: state.success ? state.data : 'none',
    url: r.url,
    pr: r.prUrl !== null && r.prNumber !== null ? { url: r.prUrl, number: r.prNumber } : null,
    cml: r.cmlUrl !== null ? { url: r.cmlUrl } : null,
  };
}

/**
 * The experiments table's CI column: answers from the store at once, and reads the forge only
 * for commits whose cached status is missing, stale (TTL) or invalidated by a webhook — in the
 * background, deduplicated, a few at a time — then tells browsers over SSE (`ci.status`).
 */
export class CiSummaryService {
  private readonly opts: SummaryOptions;
  private readonly queued = new Map<string, { project: string; sha: string }>();
  private readonly inFlight = new Set<string>();
  private readonly changed = new Map<string, Set<string>>();
  private publishTimer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly deps: { store: Store; box: SecretBox; settings: CiSettingsStore; bus: EventBus },
    opts: Partial<SummaryOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  async summaries(project: string, shas: readonly string[]): Promise<CiSummaries> {
    const forge = await this.forgeFor(project);
    const rows = new Map((await this.deps.store.ci.get(project, shas)).map((r) => [r.sha, r]));
    const out: CiSummaries = {};
    const now = this.opts.now();
    for (const sha of shas) {
      const row = rows.get(sha);
      out[sha] = toSummary(row);
      if (forge && this.stale(row, now)) this.enqueue(project, sha);
    }
    this.pump();
    return out;
  }

  /** A webhook said something changed: drop the cached statuses and read them again now. */
  async invalidate(project: string, shas?: readonly string[]): Promise<void> {
    const hit = await this.deps.store.ci.invalidate(project, shas);
    if (!(await this.forgeFor(project))) return;
    for (const sha of new Set([...hit, ...(shas ?? [])])) this.enqueue(project, sha);
    this.pump();
  }

  /** Records the pull request Kiln opened and tells the table at once. */
  async recordPullRequest(project: string, sha: string, pr: { url: string; number: number }): Promise<void> {
    await this.deps.store.ci.putPullRequest(project, sha, pr);
    this.deps.bus.publish({ type: 'ci.status', project, shas: [sha] });
  }

  /** Resolves when no forge read is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    if (this.queued.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  close(): void {
    this.closed = true;
    this.queued.clear();
    if (this.publishTimer) clearTimeout(this.publishTimer);
  }

  private stale(row: CiCommitRecord | undefined, now: number): boolean {
    if (!row?.checkedAt) return true;
    return now - Date.parse(row.checkedAt) >= freshFor(row.state, this.opts);
  }

  private enqueue(project: string, sha: string): void {
    const key = `${project}\0${sha}`;
    if (!this.inFlight.has(key)) this.queued.set(key, { project, sha });
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.opts.concurrency && this.queued.size > 0) {
      const [key, job] = this.queued.entries().next().value as [string, { project: string; sha: string }];
      this.queued.delete(key);
      this.inFlight.add(key);
      void this.refresh(job.project, job.sha).finally(() => {
        this.inFlight.delete(key);
        this.pump();
        if (this.queued.size === 0 && this.inFlight.size === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }

  private async refresh(project: string, sha: string): Promise<void> {
    const checkedAt = new Date(this.opts.now()).toISOString();
    try {
      const forge = await this.forgeFor(project);
      if (!forge) return;
      const [prev] = await this.deps.store.ci.get(project, [sha]);
      // CML reports land on the commit, or on the pull request Kiln opened for it (`--pr`).
      const [checks, onCommit, onPr] = await Promise.all([
        forge.commitChecks(sha),
        forge.cmlReports(sha),
        prev?.prNumber != null ? forge.pullRequestReports(prev.prNumber) : Promise.resolve([]),
      ]);
      const next = {
        state: combineStates(checks),
        url: summaryUrl(checks),
        cmlUrl: newestReport([...onCommit, ...onPr]),
      };
      await this.deps.store.ci.putStatus([{ project, sha, ...next, checkedAt }]);
      if (!prev || prev.state !== next.state || prev.url !== next.url || prev.cmlUrl !== next.cmlUrl)
        this.markChanged(project, sha);
    } catch {
      // The forge is down or refused: keep what is cached, and wait a TTL before asking again.
      const [prev] = await this.deps.store.ci.get(project, [sha]).catch(() => []);
      await this.deps.store.ci
        .putStatus([
          {
            project,
            sha,
            state: prev?.state ?? 'none',
            url: prev?.url ?? null,
            cmlUrl: prev?.cmlUrl ?? null,
            checkedAt,
          },
        ])
        .catch(() => undefined);
    }
  }

  private markChanged(project: string, sha: string): void {
    const set = this.changed.get(project) ?? new Set<string>();
    set.add(sha);
    this.changed.set(project, set);
    if (this.publishTimer || this.closed) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = null;
      for (const [p, shas] of this.changed)
        this.deps.bus.publish({ type: 'ci.status', project: p, shas: [...shas] });
      this.changed.clear();
    }, PUBLISH_DELAY_MS);
    this.publishTimer.unref();
  }

  /** The project's forge when it has a status API; null for plain Git or an unknown host. */
  private async forgeFor(project: string): Promise<Forge | null> {
    const { rec, creds } = await projectAccess(this.deps.store, this.deps.box, project);
    const auth = creds?.kind === 'https-token' ? { username: creds.username, token: creds.token } : null;
    try {
      const forge = openForge(rec.source, (await this.deps.settings.get()).hosts, auth);
      return forge.kind === 'git' ? null : forge;
    } catch {
      return null;
    }
  }
}
