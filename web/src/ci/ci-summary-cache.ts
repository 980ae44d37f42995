import {
  MAX_CI_SUMMARY_SHAS,
  type CiState,
  type CiSummaries,
  type CommitCiSummary,
} from '../../../src/contracts/ci.js';

export type FetchSummaries = (project: string, shas: string[]) => Promise<CiSummaries>;

const ACTIVE: ReadonlySet<CiState> = new Set(['pending', 'running']);

/**
 * The browser's CI summaries: every sha any mounted view wants, per project, fetched in
 * batches of at most {@link MAX_CI_SUMMARY_SHAS} — asks made in the same tick share one request.
 * The server answers from its cache; this one only avoids asking twice for what it holds.
 */
export class CiSummaryCache {
  private readonly data = new Map<string, Map<string, CommitCiSummary>>();
  private readonly inUse = new Map<string, Map<string, number>>();
  private readonly pending = new Map<string, Set<string>>();
  private readonly listeners = new Set<() => void>();
  private flushing: ReturnType<typeof setTimeout> | null = null;
  private version = 0;

  constructor(
    private readonly fetchSummaries: FetchSummaries,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Marks the shas as wanted by a view and fetches the ones not held yet; returns the release. */
  use(project: string, shas: readonly string[]): () => void {
    const counts = this.inUse.get(project) ?? new Map<string, number>();
    this.inUse.set(project, counts);
    const held = this.data.get(project);
    const missing: string[] = [];
    for (const sha of shas) {
      counts.set(sha, (counts.get(sha) ?? 0) + 1);
      if (!held?.has(sha)) missing.push(sha);
    }
    this.refetch(project, missing);
    return () => {
      for (const sha of shas) {
        const n = (counts.get(sha) ?? 1) - 1;
        if (n <= 0) counts.delete(sha);
        else counts.set(sha, n);
      }
    };
  }

  /** Asks again for these shas (all wanted ones of the project when empty), if a view still wants them. */
  invalidate(project: string, shas: readonly string[]): void {
    const counts = this.inUse.get(project);
    if (!counts) return;
    this.refetch(project, shas.length === 0 ? [...counts.keys()] : shas.filter((s) => counts.has(s)));
  }

  /** Asks again for wanted commits whose CI is still pending or running (the server's TTL decides whether the forge is read). */
  pollActive(): void {
    for (const [project, counts] of this.inUse) {
      const held = this.data.get(project);
      const active = [...counts.keys()].filter((sha) => {
        const s = held?.get(sha);
        return s !== undefined && ACTIVE.has(s.state);
      });
      this.refetch(project, active);
    }
  }

  get(project: string, sha: string): CommitCiSummary | undefined {
    return this.data.get(project)?.get(sha);
  }

  /** Changes whenever any summary arrives; for useSyncExternalStore. */
  snapshot = (): number => this.version;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private refetch(project: string, shas: readonly string[]): void {
    if (shas.length === 0) return;
    const set = this.pending.get(project) ?? new Set<string>();
    for (const s of shas) set.add(s);
    this.pending.set(project, set);
    this.flushing ??= setTimeout(() => void this.flush(), 0);
  }

  private async flush(): Promise<void> {
    this.flushing = null;
    const work = [...this.pending].map(([project, set]) => [project, [...set]] as const);
    this.pending.clear();
    await Promise.all(
      work.flatMap(([project, shas]) => {
        const batches: string[][] = [];
        for (let i = 0; i < shas.length; i += MAX_CI_SUMMARY_SHAS)
          batches.push(shas.slice(i, i + MAX_CI_SUMMARY_SHAS));
        return batches.map(async (batch) => {
          try {
            const got = await this.fetchSummaries(project, batch);
            const held = this.data.get(project) ?? new Map<string, CommitCiSummary>();
            this.data.set(project, held);
            for (const [sha, summary] of Object.entries(got)) held.set(sha, summary);
            this.version++;
            for (const l of this.listeners) l();
          } catch (err) {
            this.onError(err);
          }
        });
      }),
    );
  }
}
