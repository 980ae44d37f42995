import { ExperimentStatus, type TableRow } from '../../contracts/api.js';
import type { LiveEvent, LiveExperiment, PlotRow } from '../../contracts/live.js';
import { eventImages, eventPoints } from '../../core/live/merge.js';
import { normalizeRepoUrl } from '../../core/live/repo-url.js';
import { applyEvent, emptySummary, type LiveSummary } from '../../core/live/summary.js';
import type { LiveExperimentRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import { SaveBatcher } from './batcher.js';
import type { LiveFanout } from './fanout.js';
import type { LiveCaller } from './live-auth.js';
import { liveRow, overlayRow, presentLive, summaryOf } from './present.js';

const REPO_INDEX_MS = 5_000;

export interface LiveOptions {
  /** A live experiment with no event for this long shows `stale`. */
  staleAfterMs: number;
  /** The clock events are stamped and staleness judged by (replaceable, so tests need not race it). */
  now: () => number;
}

interface Entry {
  rec: LiveExperimentRecord;
  summary: LiveSummary;
}

/** Commands and reads on live experiments: ingest events, list, delete, and rows for the table. */
export class LiveService {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly entries = new Map<string, Entry>();
  /** Rows of Kiln's own runs as the table last showed them, by project, baseline and name. */
  private readonly runRows = new Map<string, TableRow>();
  private repoIndex = new Map<string, Array<{ name: string; subdir: string }>>();
  private repoIndexAt = 0;
  /** Repo URLs as clients spell them → normalized: a run sends the same spelling every event. */
  private readonly normalized = new Map<string, string>();
  private readonly batcher: SaveBatcher;

  constructor(
    private readonly store: Store,
    private readonly fanout: LiveFanout,
    readonly options: LiveOptions,
  ) {
    this.batcher = new SaveBatcher(store);
  }

  /** The projects (with their subdirs) whose source is `repoUrl` in any spelling. */
  private async projectsOf(repoUrl: string): Promise<Array<{ name: string; subdir: string }>> {
    let key = this.normalized.get(repoUrl);
    if (key === undefined) {
      if (this.normalized.size > 1_000) this.normalized.clear();
      key = normalizeRepoUrl(repoUrl);
      this.normalized.set(repoUrl, key);
    }
    let found = this.repoIndex.get(key);
    // Training posts many events a second: the index of project sources is read once and kept a
    // few seconds, so a removed or renamed project stops matching soon after.
    if (!found || this.options.now() - this.repoIndexAt > REPO_INDEX_MS) {
      const index = new Map<string, Array<{ name: string; subdir: string }>>();
      for (const p of await this.store.listProjects()) {
        const k = normalizeRepoUrl(p.source);
        index.set(k, [...(index.get(k) ?? []), { name: p.name, subdir: trimSlashes(p.subdir ?? '') }]);
      }
      this.repoIndex = index;
      this.repoIndexAt = this.options.now();
      found = index.get(key);
    }
    return found ?? [];
  }

  /**
   * The projects a person's token may post to: one they are no member of (or that their token
   * does not name) is left out, so it answers as an unknown repository; one where they may
   * not run is refused with the reason.
   */
  private async visible<T extends { name: string }>(projects: T[], caller: LiveCaller | null): Promise<T[]> {
    if (caller?.kind !== 'user') return projects;
    const out: T[] = [];
    for (const p of projects) {
      const a = await caller.access(p.name);
      if (a === 'forbidden') throw new ApiFailure('forbidden', await caller.refusal(p.name));
      if (a === 'ok') out.push(p);
    }
    return out;
  }

  /** Every project whose source is `repoUrl` (a monorepo may be added once per subdir), or a 404. */
  async projectsFor(repoUrl: string, caller: LiveCaller | null): Promise<string[]> {
    if (caller?.kind === 'run') return [await this.projectFor(repoUrl, caller)];
    const names = (await this.visible(await this.projectsOf(repoUrl), caller)).map((p) => p.name);
    if (!names.length) throw unknownRepo(repoUrl);
    return names;
  }

  /**
   * The project an event of `repoUrl` belongs to. A run's token names its project, which must
   * have that source; otherwise the source decides, and when a monorepo is added once per subdir,
   * the start event's `subdir` or the experiment already reported does.
   */
  async projectFor(
    repoUrl: string,
    caller: LiveCaller | null,
    hint: { subdir?: string | undefined; baseline?: string; name?: string } = {},
  ): Promise<string> {
    const projects = await this.visible(await this.projectsOf(repoUrl), caller);
    if (caller?.kind === 'run') {
      if (projects.length && !projects.some((p) => p.name === caller.project))
        throw new ApiFailure(
          'forbidden',
          'this run token belongs to another project',
          `it may post to "${caller.project}" only`,
        );
      return caller.project;
    }
    const [only, ...more] = projects;
    if (!only) throw unknownRepo(repoUrl);
    if (!more.length) return only.name;
    if (hint.subdir !== undefined) {
      const bySubdir = projects.filter((p) => p.subdir === trimSlashes(hint.subdir ?? ''));
      if (bySubdir.length === 1 && bySubdir[0]) return bySubdir[0].name;
    }
    if (hint.baseline && hint.name) {
      const known = [];
      for (const p of projects)
        if (await this.store.live.get(p.name, hint.baseline, hint.name)) known.push(p.name);
      if (known.length === 1 && known[0]) return known[0];
    }
    throw new ApiFailure(
      'conflict',
      'this repository is added as several projects',
      `projects ${projects.map((p) => `"${p.name}" (subdir "${p.subdir}")`).join(', ')} share "${repoUrl}": ` +
        'send "subdir" in the start event, or post with the run token Kiln gives a job',
    );
  }

  /** Stores one event; events of one experiment are applied one at a time, in arrival order. */
  async ingest(e: LiveEvent, caller: LiveCaller): Promise<LiveExperimentRecord> {
    const project = await this.projectFor(e.repo_url, caller, {
      subdir: e.type === 'start' ? e.subdir : undefined,
      baseline: e.baseline_sha,
      name: e.name,
    });
    const key = `${project}\0${e.baseline_sha}\0${e.name}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const run = prev.then(() => this.apply(key, project, e));
    const tail = run.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }

  private async apply(key: string, project: string, e: LiveEvent): Promise<LiveExperimentRecord> {
    // On PostgreSQL another server may have taken this run's last posts (a balancer spreads
    // them): the stored state is read again rather than trusting this server's copy.
    const cached = this.store.dialect === 'postgres' ? undefined : this.entries.get(key);
    const entry = cached ?? (await this.load(project, e));
    const summary = applyEvent(entry.summary, e);
    const now = new Date(this.options.now()).toISOString();
    const rec: LiveExperimentRecord = { ...entry.rec, summaryJson: JSON.stringify(summary), updatedAt: now };
    const points = e.type === 'data' ? eventPoints(e) : [];
    const images = e.type === 'data' ? eventImages(e) : new Map<string, string>();
    await this.batcher.save({
      experiment: rec,
      points: points.map((p) => ({ plot: p.plot, step: p.step, rowJson: JSON.stringify(p.row) })),
      images: [...images].map(([plot, base64]) => ({ plot, step: e.type === 'data' ? e.step : 0, base64 })),
    });
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { rec, summary });
    const plots: Record<string, PlotRow[]> = {};
    for (const p of points) (plots[p.plot] ??= []).push(p.row);
    const { staleAfterMs, now: clock } = this.options;
    const { id, name, baseline, kilnExperimentId } = rec;
    this.fanout.push({
      id: rec.id,
      state: () => {
        if (kilnExperimentId !== null)
          return this.runRow(key, kilnExperimentId, summary).then((row) => ({
            project,
            id,
            name,
            baseline,
            status: row.status ?? 'running',
            step: summary.step,
            row,
          }));
        const row = liveRow(rec, summary, clock(), staleAfterMs);
        return { project, id, name, baseline, status: row.status ?? 'running', step: summary.step, row };
      },
      plots,
      images: [...images.keys()],
    });
    return rec;
  }

  /**
   * The table row of a run Kiln started, with its live values: browsers replace the run's row
   * with it, so it keeps the run's identity (rev, status, message, params), not the live record's.
   * The rest comes from the row the table last showed for it.
   */
  private async runRow(key: string, experimentId: string, summary: LiveSummary): Promise<TableRow> {
    const exp = await this.store.experiments.getById(experimentId);
    const shown = this.runRows.get(key);
    const status = ExperimentStatus.safeParse(exp?.status);
    const base: TableRow = {
      ...(shown ?? {
        rev: experimentId,
        message: exp?.message || `experiment ${exp?.name ?? ''}`,
        author: '',
        date: exp?.createdAt ?? new Date(this.options.now()).toISOString(),
        branches: [],
        tags: [],
        hidden: false,
        parents: exp ? [exp.baseline] : [],
        params: {},
        metrics: {},
        errors: {},
        name: exp?.name,
        baseline: exp?.baseline,
      }),
      ...(exp ? { rev: exp.resultCommit ?? exp.id } : {}),
      ...(status.success ? { status: status.data } : {}),
    };
    return overlayRow(base, summary);
  }

  private async load(project: string, e: LiveEvent): Promise<Entry> {
    const found = await this.store.live.get(project, e.baseline_sha, e.name);
    if (found) return { rec: found, summary: summaryOf(found) };
    const kiln = await this.store.experiments.get(project, e.name);
    const now = new Date(this.options.now()).toISOString();
    return {
      rec: {
        id: crypto.randomUUID(),
        project,
        baseline: e.baseline_sha,
        name: e.name,
        kilnExperimentId: kiln && kiln.baseline === e.baseline_sha ? kiln.id : null,
        summaryJson: '{}',
        pushed: false,
        createdAt: now,
        updatedAt: now,
      },
      summary: emptySummary(),
    };
  }

  /** Every live experiment of a project; `detached` when its baseline is not among `commits`. */
  async list(project: string, commits?: ReadonlySet<string>): Promise<LiveExperiment[]> {
    const recs = await this.store.live.list(project);
    const now = this.options.now();
    return recs.map((r) =>
      presentLive(r, summaryOf(r), {
        now,
        staleAfterMs: this.options.staleAfterMs,
        detached: commits ? !commits.has(r.baseline) : false,
      }),
    );
  }

  async get(project: string, idOrName: string): Promise<LiveExperiment | null> {
    const all = await this.list(project);
    return all.find((x) => x.id === idOrName) ?? all.find((x) => x.name === idOrName) ?? null;
  }

  async remove(project: string, id: string): Promise<void> {
    const rec = await this.store.live.getById(id);
    if (!rec || rec.project !== project)
      throw new ApiFailure('not_found', `no live experiment "${id}" in project "${project}"`);
    await this.forget([rec]);
  }

  /** Drops the experiments that removed `refs/exps/<sha[:2]>/<sha[2:]>/<name>` refs name. */
  async removeRefs(project: string, refs: readonly string[]): Promise<number> {
    const wanted = new Set(refs.flatMap((r) => parseExpRef(r) ?? []));
    const recs = (await this.store.live.list(project)).filter((r) => wanted.has(`${r.baseline}/${r.name}`));
    await this.forget(recs);
    return recs.length;
  }

  /** Marks experiments whose refs were pushed. */
  async markPushed(project: string, refs: readonly string[]): Promise<void> {
    const wanted = new Set(refs.flatMap((r) => parseExpRef(r) ?? []));
    for (const r of await this.store.live.list(project)) {
      if (!wanted.has(`${r.baseline}/${r.name}`) || r.pushed) continue;
      const rec = { ...r, pushed: true };
      await this.batcher.save({ experiment: rec, points: [], images: [] });
      const key = `${r.project}\0${r.baseline}\0${r.name}`;
      const cached = this.entries.get(key);
      if (cached) this.entries.set(key, { ...cached, rec: { ...cached.rec, pushed: true } });
    }
  }

  private async forget(recs: readonly LiveExperimentRecord[]): Promise<void> {
    for (const r of recs) this.entries.delete(`${r.project}\0${r.baseline}\0${r.name}`);
    await this.store.live.remove(recs.map((r) => r.id));
  }

  /** Rows of experiments Kiln did not start (those it did are the runs' rows). */
  async rows(project: string): Promise<TableRow[]> {
    return (await this.list(project)).filter((x) => x.kilnExperimentId === null).map((x) => x.row);
  }

  /** Kiln-run rows with the metrics their live events reported. */
  async overlay(project: string, rows: readonly TableRow[]): Promise<TableRow[]> {
    for (const row of rows) {
      if (row.name === undefined || row.baseline === undefined) continue;
      if (this.runRows.size > 10_000) this.runRows.clear();
      this.runRows.set(`${project}\0${row.baseline}\0${row.name}`, row);
    }
    const byName = new Map<string, LiveSummary>();
    for (const r of await this.store.live.list(project))
      if (r.kilnExperimentId !== null) byName.set(`${r.baseline}/${r.name}`, summaryOf(r));
    if (byName.size === 0) return [...rows];
    return rows.map((row) => {
      const s = byName.get(`${row.baseline ?? ''}/${row.name ?? ''}`);
      return s ? overlayRow(row, s) : row;
    });
  }
}

function trimSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, '');
}

function unknownRepo(repoUrl: string): ApiFailure {
  return new ApiFailure(
    'not_found',
    'unknown repository',
    `no project has the repository "${repoUrl}"; add it first`,
  );
}

/** `refs/exps/ab/cdef…/name` → `abcdef…/name`, or null for other refs. */
export function parseExpRef(ref: string): string | null {
  const m = /^refs\/exps\/([0-9a-f]{2})\/([0-9a-f]{38})\/(.+)$/.exec(ref);
  return m ? `${m[1]}${m[2]}/${m[3]}` : null;
}
