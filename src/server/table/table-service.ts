import path from 'node:path';
import { ProjectSettings, type Project, type TablePage, type TableRow } from '../../contracts/api.js';
import { deriveColumns } from '../../core/table/derive-columns.js';
import type { Store } from '../../store/port.js';
import type { ProjectInfo, ProjectService } from '../projects/project-service.js';
import type { ExperimentRows } from './experiment-rows.js';
import { ProjectTable } from './project-table.js';
import type { RepoReader } from './repo-reader.js';
import { TableCache, type TableStats } from './table-cache.js';

/** What the live protocol lays over the table: live metrics on Kiln's runs, and live-only experiments. */
export interface LiveRows {
  overlay(project: string, rows: TableRow[]): Promise<TableRow[]>;
  rows(project: string): Promise<TableRow[]>;
}

export interface TableParts {
  store: Store;
  projects: ProjectService;
  /** The data dir: the persisted rows live in its `table-cache`. */
  home: string;
  repo: RepoReader;
  /** Rows of Kiln's runs, nested under their baselines. */
  experiments: ExperimentRows;
  live: LiveRows;
}

interface Held {
  table: ProjectTable;
  /** the project's table settings the table was built with: other settings, another table */
  key: string;
  /** Serializes the refreshes of one table. */
  chain: Promise<unknown>;
}

const key = (r: TableRow): string => `${r.baseline ?? ''}/${r.name ?? ''}`;

/**
 * The experiments table of each project: commit rows read from the mirror (ProjectTable, kept in
 * memory and refreshed after each fetch), the rows of Kiln's runs and of pushed experiments
 * nested under their baselines, and the live protocol's rows laid over them.
 */
export class TableService {
  private readonly held = new Map<string, Held>();
  private readonly columnCache = new WeakMap<
    ProjectTable,
    { key: string; cols: ReturnType<typeof deriveColumns> }
  >();

  constructor(private readonly parts: TableParts) {
    parts.projects.onFetched(async (project) => (await this.refresh(project)) > 0);
    // Same settings, new keys behind a credential's name: rows read with the old ones go too.
    parts.projects.onUpdated((project) => {
      this.drop(project);
      parts.repo.drop(project);
    });
    parts.projects.onRemove(async (project) => {
      this.drop(project);
      parts.repo.drop(project);
      this.cache(project, null).clear();
    });
  }

  async table(name: string, all: boolean, offset: number, limit: number): Promise<TablePage> {
    const { projects } = this.parts;
    const rec = await projects.record(name);
    // With several servers, a project another server fetched has no mirror here yet.
    if (rec.fetchState === 'ok' && !projects.hasMirror(name)) await projects.reload(name);
    const held = await this.hold(name);
    if (held.table.size === 0 && rec.fetchState === 'ok') {
      // Server restarted: rebuild the in-memory table from the mirror (blob cache makes it cheap).
      await this.serial(held, async () => (held.table.size === 0 ? held.table.refresh() : 0));
    }
    const rows = await this.withExperiments(name, held.table, all);
    return {
      project: name,
      total: rows.length,
      hiddenCount: held.table.hiddenCount(),
      offset,
      rows: rows.slice(offset, offset + limit),
      columns: this.columns(held.table, all, rows),
    };
  }

  /** The project with its newest commit, as the table holds it (null before its first read). */
  describe(p: ProjectInfo): Project {
    const last = this.held.get(p.name)?.table.lastCommit() ?? null;
    return { ...p, lastCommit: last ? { rev: last.rev, message: last.message, date: last.date } : null };
  }

  /**
   * An experiment `dvc exp push` stored under `exp` (the newest, when baselines share the name)
   * and its baseline's commit row, if the table holds them.
   */
  async pushedExperiment(
    name: string,
    exp: string,
  ): Promise<{ row: TableRow; base: TableRow | null } | null> {
    const { table } = await this.hold(name);
    const row = table
      .pushedRows()
      .filter((r) => r.name === exp)
      .sort((a, b) => b.date.localeCompare(a.date))[0];
    if (!row) return null;
    return { row, base: table.rows(true).find((r) => r.rev === row.baseline) ?? null };
  }

  /** What building a project's table has cost since this server started (see TableStats). */
  tableStats(name: string): TableStats | null {
    return this.held.get(name)?.table.stats ?? null;
  }

  close(): void {
    for (const name of [...this.held.keys()]) this.drop(name);
    this.parts.repo.close();
  }

  /** Brings the project's table up to date with its mirror; the number of changes (see ProjectTable.refresh). */
  private async refresh(name: string): Promise<number> {
    const held = await this.hold(name);
    return this.serial(held, () => held.table.refresh());
  }

  private serial<T>(held: Held, work: () => Promise<T>): Promise<T> {
    const run = held.chain.then(work);
    held.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Commit rows with each commit's experiments right after it, newest first: Kiln's runs, those
   * reported live, and those `dvc exp push` stored (a Kiln run wins over its own pushed ref, a
   * pushed one over its live reports). Experiments whose baseline is on no branch or tag come
   * last, for the table's "detached" group; those of hidden commits show with them.
   */
  private async withExperiments(name: string, table: ProjectTable, all: boolean): Promise<TableRow[]> {
    const rows = table.rows(all);
    const others = await this.experimentRows(name, new Map(rows.map((r) => [r.rev, r])));
    const runs = new Set(others.filter((r) => r.target !== undefined).map(key));
    const hidden = all
      ? new Set<string>()
      : new Set(
          table
            .rows(true)
            .filter((r) => r.hidden)
            .map((r) => r.rev),
        );
    const pushed = table.pushedRows().filter((r) => !runs.has(key(r)) && !hidden.has(r.baseline ?? ''));
    const taken = new Set(pushed.map(key));
    const exps = [...others.filter((r) => r.target !== undefined || !taken.has(key(r))), ...pushed];
    if (exps.length === 0) return rows;
    const byBaseline = new Map<string, TableRow[]>();
    for (const e of exps) byBaseline.set(e.baseline ?? '', [...(byBaseline.get(e.baseline ?? '') ?? []), e]);
    const out = rows.flatMap((r) => {
      const mine = byBaseline.get(r.rev) ?? [];
      byBaseline.delete(r.rev);
      return [r, ...mine];
    });
    for (const [baseline, mine] of byBaseline) if (!hidden.has(baseline)) out.push(...mine);
    return out;
  }

  /**
   * Kiln's runs with their live metrics, then the experiments reported only over the live
   * protocol, each naming its baseline.
   */
  private async experimentRows(name: string, baselines: ReadonlyMap<string, TableRow>): Promise<TableRow[]> {
    const { experiments, live } = this.parts;
    const runs = await live.overlay(name, await experiments.rows(name, baselines));
    const taken = new Set(runs.map(key));
    const extra = (await live.rows(name)).filter((r) => !taken.has(key(r)));
    return [...runs, ...extra];
  }

  private columns(table: ProjectTable, all: boolean, rows: TableRow[]) {
    const k = `${all}:${table.size}:${rows[0]?.rev ?? ''}`;
    const hit = this.columnCache.get(table);
    if (hit?.key === k) return hit.cols;
    const cols = deriveColumns(rows);
    this.columnCache.set(table, { key: k, cols });
    return cols;
  }

  /** The project's table, built anew when its table settings changed. */
  private async hold(name: string): Promise<Held> {
    const rec = await this.parts.projects.record(name);
    const settings = { subdir: rec.subdir, ...ProjectSettings.parse(JSON.parse(rec.settingsJson)) };
    const k = JSON.stringify({ source: rec.source, ...settings });
    const existing = this.held.get(name);
    if (existing?.key === k) return existing;
    if (existing) this.drop(name);
    const held: Held = {
      table: new ProjectTable(
        this.parts.repo.mirror(name),
        settings,
        this.parts.store,
        (sha) => this.parts.repo.remoteMetrics(name, sha),
        this.cache(name, { source: rec.source, ...settings }),
      ),
      key: k,
      chain: Promise.resolve(),
    };
    this.held.set(name, held);
    return held;
  }

  private drop(name: string): void {
    this.held.get(name)?.table.close();
    this.held.delete(name);
  }

  /** The project's table rows persisted in the data dir, keyed by its table settings. */
  private cache(name: string, settings: unknown): TableCache {
    return new TableCache(path.join(this.parts.home, 'table-cache'), name, settings);
  }
}
