import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  GitCredentials,
  ProjectSettings,
  type CreateProjectBody,
  type Project,
  type TablePage,
  type TableRow,
  type UpdateProjectBody,
} from '../../contracts/api.js';
import { deriveColumns } from '../../core/table/derive-columns.js';
import { credentialEnv, normalizeSource, syncMirror } from '../../git/mirror.js';
import { restoreLocalBranches } from '../../git/local-branches.js';
import { restorePushedRefs } from '../compute/pushed-refs.js';
import { git, GitError } from '../../git/run-git.js';
import type { ProjectRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import { checkSource, type SourcePolicy } from './source-policy.js';
import type { EventBus } from '../event-bus.js';
import type { SecretBox } from '../secrets.js';
import { ProjectTable } from '../table/project-table.js';
import { TableCache, type TableStats } from '../table/table-cache.js';
import { CredentialSecret } from '../../contracts/compute.js';
import {
  DEFAULT_REMOTE_CAP,
  readKeptFiles,
  readRemoteMetrics,
  REMOTE_CAP_SETTING,
  type RemoteFilesAt,
} from '../runs/remote-files.js';

/** Experiment rows of a project, given its commit rows by sha; each row names its baseline. */
export type ExperimentRowSource = (
  project: string,
  baselines: ReadonlyMap<string, TableRow>,
) => Promise<TableRow[]>;

interface Live {
  table: ProjectTable;
  /** Serializes fetches and refreshes of one project. */
  chain: Promise<unknown>;
}

/** Commands and reads on projects: mirrors, fetches, and the table each keeps in memory. */
export class ProjectService {
  private readonly live = new Map<string, Live>();
  private experimentRows: ExperimentRowSource | null = null;
  private readonly removers: Array<(project: string) => Promise<void>> = [];

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly bus: EventBus,
    private readonly home: string,
    /** Where sources may be; by default only the demo repository in the data dir. */
    private readonly sources: Omit<SourcePolicy, 'home'> = {
      roots: [path.join(home, 'demo-repo')],
      allowPrivate: false,
    },
  ) {}

  mirrorDir(name: string): string {
    return path.join(this.home, 'repos', `${name}.git`);
  }

  /**
   * Whether this server has fetched the project yet: with several servers, a project another
   * server added (its fetch state says `ok`) has no mirror here until this server fetches it.
   */
  hasMirror(name: string): boolean {
    return existsSync(path.join(this.mirrorDir(name), 'HEAD'));
  }

  /** Lets the experiments module nest its rows under their baselines in `table()`. */
  attachExperimentRows(source: ExperimentRowSource): void {
    this.experimentRows = source;
  }

  /** Lets a module delete what it keeps of a project when the project is deleted. */
  onRemove(remover: (project: string) => Promise<void>): void {
    this.removers.push(remover);
  }

  async list(): Promise<Project[]> {
    const recs = await this.store.listProjects();
    const running = await this.store.experiments.activeCounts();
    return recs.map((r) => this.present(r, running.get(r.name) ?? 0));
  }

  async get(name: string): Promise<Project> {
    const running = await this.store.experiments.activeCounts();
    return this.present(await this.record(name), running.get(name) ?? 0);
  }

  /** Adds a project owned by `teamId` (default: the `default` team). */
  async create(body: CreateProjectBody, teamId?: string): Promise<Project> {
    if (await this.store.getProject(body.name))
      throw new ApiFailure('conflict', `a project named "${body.name}" already exists`);
    const source = normalizeSource(body.source, process.cwd());
    await checkSource(body.source, source, { ...this.sources, home: this.home });
    if (path.isAbsolute(source) && !(existsSync(source) && statSync(source).isDirectory())) {
      throw new ApiFailure(
        'bad_request',
        `source "${body.source}" is neither a Git URL nor an existing directory`,
      );
    }
    const settings = ProjectSettings.parse(body.settings ?? {});
    await this.store.createProject({
      name: body.name,
      source,
      subdir: body.subdir ?? null,
      credentialsEnc: body.credentials ? this.box.seal(JSON.stringify(body.credentials)) : null,
      settingsJson: JSON.stringify(settings),
      fetchState: 'never',
      fetchAt: null,
      fetchError: null,
      createdAt: new Date().toISOString(),
      ...(teamId ? { teamId } : {}),
    });
    void this.reload(body.name).catch(() => undefined);
    return this.get(body.name);
  }

  async update(name: string, body: UpdateProjectBody): Promise<Project> {
    const rec = await this.record(name);
    const settings = { ...ProjectSettings.parse(JSON.parse(rec.settingsJson)), ...body.settings };
    if (body.settings?.dvcCredential) {
      const c = await this.store.compute.getCredential(body.settings.dvcCredential);
      if (!c || c.kind !== 'aws')
        throw new ApiFailure(
          'bad_request',
          `dvcCredential: "${body.settings.dvcCredential}" is not an AWS credential in Settings → Credentials`,
        );
    }
    await this.store.updateProject(name, {
      ...(body.subdir !== undefined ? { subdir: body.subdir } : {}),
      ...(body.credentials !== undefined
        ? { credentialsEnc: body.credentials ? this.box.seal(JSON.stringify(body.credentials)) : null }
        : {}),
      settingsJson: JSON.stringify(settings),
    });
    this.drop(name);
    await this.reload(name).catch(() => undefined);
    return this.get(name);
  }

  async remove(name: string): Promise<void> {
    await this.record(name);
    this.drop(name);
    // Before the project's rows go: the removers look up its runs to delete what names them.
    for (const remove of this.removers) await remove(name);
    await this.store.deleteProject(name);
    // What CI kept for it goes too: cached statuses, stored pull requests, its webhook secret.
    await this.store.ci.removeProject(name);
    await this.store.deleteSettings([`ci.webhookSecret:${name}`]);
    await rm(this.mirrorDir(name), { recursive: true, force: true });
    this.tableCache(name, null).clear();
  }

  /** What building a project's table has cost since this server started (see TableStats). */
  tableStats(name: string): TableStats | null {
    return this.live.get(name)?.table.stats ?? null;
  }

  /** The project's table rows persisted in the data dir, keyed by its table settings. */
  private tableCache(name: string, settings: unknown): TableCache {
    return new TableCache(path.join(this.home, 'table-cache'), name, settings);
  }

  /**
   * Pushes a commit of the mirror to `ref` in the project's own remote with its stored
   * credentials (askpass or key file; never in a URL or a log). Experiment refs are Kiln's to
   * overwrite, as `dvc exp push` does; nothing else is pushed with force.
   */
  async pushToSource(name: string, sha: string, ref: string): Promise<void> {
    const rec = await this.record(name);
    const mirror = this.mirrorDir(name);
    if (rec.source === mirror) return;
    const force = ref.startsWith('refs/exps/');
    const { env, cleanup } = await credentialEnv(this.credentials(rec));
    try {
      await git(['push', '--quiet', ...(force ? ['--force'] : []), '--', rec.source, `${sha}:${ref}`], {
        cwd: mirror,
        env,
        timeoutMs: 10 * 60_000,
      });
    } finally {
      await cleanup();
    }
  }

  /** Fetches the mirror and refreshes the table; failures are stored on the project and thrown. */
  async reload(name: string): Promise<Project> {
    const live = await this.liveTable(name);
    const run = live.chain.then(async () => {
      const rec = await this.record(name);
      await this.store.updateProject(name, { fetchState: 'fetching' });
      this.bus.publish({ type: 'project.fetch', project: name, state: 'fetching', error: null });
      try {
        await syncMirror(this.mirrorDir(name), rec.source, this.credentials(rec));
        await restoreLocalBranches(this.mirrorDir(name));
        // Results and checkpoints other servers of a cluster received (see compute/pushed-refs.ts).
        await restorePushedRefs(this.store, name, this.mirrorDir(name));
        const added = await live.table.refresh();
        await this.store.updateProject(name, {
          fetchState: 'ok',
          fetchAt: new Date().toISOString(),
          fetchError: null,
        });
        this.bus.publish({ type: 'project.fetch', project: name, state: 'ok', error: null });
        if (added > 0) this.bus.publish({ type: 'table.changed', project: name });
      } catch (err) {
        const message = err instanceof GitError ? err.message : `fetch failed: ${String(err)}`;
        await this.store.updateProject(name, {
          fetchState: 'error',
          fetchAt: new Date().toISOString(),
          fetchError: message,
        });
        this.bus.publish({ type: 'project.fetch', project: name, state: 'error', error: message });
        throw new ApiFailure('git_failed', message);
      }
    });
    live.chain = run.catch(() => undefined);
    await run;
    return this.get(name);
  }

  async table(name: string, all: boolean, offset: number, limit: number): Promise<TablePage> {
    const rec = await this.record(name);
    if (rec.fetchState === 'ok' && !this.hasMirror(name)) await this.reload(name);
    const live = await this.liveTable(name);
    if (live.table.size === 0 && rec.fetchState === 'ok') {
      // Server restarted: rebuild the in-memory table from the mirror (blob cache makes it cheap).
      const run = live.chain.then(() => (live.table.size === 0 ? live.table.refresh() : 0));
      live.chain = run.catch(() => undefined);
      await run;
    }
    const rows = await this.withExperiments(name, live.table, all);
    const visible = rows.slice(offset, offset + limit);
    return {
      project: name,
      total: rows.length,
      hiddenCount: live.table.hiddenCount(),
      offset,
      rows: visible,
      columns: this.columns(live, all, rows),
    };
  }

  /**
   * Commit rows with each commit's experiments right after it, newest first: Kiln's runs, those
   * reported live, and those `dvc exp push` stored (a Kiln run wins over its own pushed ref, a
   * pushed one over its live reports). Experiments whose baseline is on no branch or tag come
   * last, for the table's "detached" group; those of hidden commits show with them.
   */
  private async withExperiments(name: string, table: ProjectTable, all: boolean): Promise<TableRow[]> {
    const rows = table.rows(all);
    const key = (r: TableRow): string => `${r.baseline ?? ''}/${r.name ?? ''}`;
    const others = this.experimentRows
      ? await this.experimentRows(name, new Map(rows.map((r) => [r.rev, r])))
      : [];
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

  private columnCache = new WeakMap<ProjectTable, { key: string; cols: ReturnType<typeof deriveColumns> }>();

  private columns(live: Live, all: boolean, rows: Parameters<typeof deriveColumns>[0]) {
    const key = `${all}:${live.table.size}:${rows[0]?.rev ?? ''}`;
    const hit = this.columnCache.get(live.table);
    if (hit?.key === key) return hit.cols;
    const cols = deriveColumns(rows);
    this.columnCache.set(live.table, { key, cols });
    return cols;
  }

  /**
   * An experiment `dvc exp push` stored under `exp` (the newest, when baselines share the name)
   * and its baseline's commit row, if the table holds them.
   */
  async pushedExperiment(
    name: string,
    exp: string,
  ): Promise<{ row: TableRow; base: TableRow | null } | null> {
    const live = await this.liveTable(name);
    const row = live.table
      .pushedRows()
      .filter((r) => r.name === exp)
      .sort((a, b) => b.date.localeCompare(a.date))[0];
    if (!row) return null;
    return { row, base: live.table.rows(true).find((r) => r.rev === row.baseline) ?? null };
  }

  /** Reloads every project; used by the fetch timer. */
  async reloadAll(): Promise<void> {
    for (const p of await this.store.listProjects()) await this.reload(p.name).catch(() => undefined);
  }

  close(): void {
    for (const name of [...this.live.keys()]) this.drop(name);
  }

  private drop(name: string): void {
    this.live.get(name)?.table.close();
    this.live.delete(name);
  }

  private async liveTable(name: string): Promise<Live> {
    const existing = this.live.get(name);
    if (existing) return existing;
    const rec = await this.record(name);
    const settings = ProjectSettings.parse(JSON.parse(rec.settingsJson));
    const tableSettings = { subdir: rec.subdir, ...settings };
    const live: Live = {
      table: new ProjectTable(
        this.mirrorDir(name),
        tableSettings,
        this.store,
        (sha) => this.remoteMetrics(name, sha),
        this.tableCache(name, { source: rec.source, ...tableSettings }),
      ),
      chain: Promise.resolve(),
    };
    this.live.set(name, live);
    return live;
  }

  /** Where and how the project's DVC remote is read for commit `sha` (cap, keys). */
  private async keptAt(name: string, sha: string): Promise<RemoteFilesAt> {
    const rec = await this.record(name);
    const cap = Number((await this.store.getSetting(REMOTE_CAP_SETTING)) ?? DEFAULT_REMOTE_CAP);
    const s3Credentials = await this.dvcRemoteCredentials(name);
    return {
      ...(s3Credentials ? { s3Credentials } : {}),
      mirror: this.mirrorDir(name),
      sha,
      subdir: rec.subdir ?? '',
      source: rec.source,
      maxBytes: Number.isFinite(cap) && cap > 0 ? cap : DEFAULT_REMOTE_CAP,
    };
  }

  /** Metrics commit `sha` keeps in DVC (not in Git), from the project's DVC remote within the cap. */
  async remoteMetrics(name: string, sha: string) {
    return readRemoteMetrics(await this.keptAt(name, sha));
  }

  /** Files commit `sha` keeps in DVC (not in Git) among `files` (a directory: its files `inDir` accepts), within the cap. */
  async keptFiles(name: string, sha: string, files: readonly string[], inDir?: (file: string) => boolean) {
    return readKeptFiles(await this.keptAt(name, sha), () => [...files], inDir);
  }

  /** The AWS keys for the project's S3 DVC remote, when its settings name a stored credential. */
  async dvcRemoteCredentials(name: string): Promise<
    | {
        accessKeyId: string;
        secretAccessKey: string;
        sessionToken?: string;
        endpoints?: string;
        name: string;
      }
    | undefined
  > {
    const rec = await this.record(name);
    const wanted = ProjectSettings.parse(JSON.parse(rec.settingsJson)).dvcCredential;
    if (!wanted) return undefined;
    const c = await this.store.compute.getCredential(wanted);
    if (!c) return undefined;
    const secret = CredentialSecret.parse(JSON.parse(this.box.open(c.secretEnc)));
    if (secret.kind !== 'aws') return undefined;
    return {
      accessKeyId: secret.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      ...(secret.sessionToken ? { sessionToken: secret.sessionToken } : {}),
      ...(secret.endpoints ? { endpoints: secret.endpoints } : {}),
      name: wanted,
    };
  }

  private credentials(rec: ProjectRecord) {
    if (!rec.credentialsEnc) return null;
    return GitCredentials.parse(JSON.parse(this.box.open(rec.credentialsEnc)));
  }

  private async record(name: string): Promise<ProjectRecord> {
    const rec = await this.store.getProject(name);
    if (!rec) throw new ApiFailure('not_found', `no project named "${name}"`);
    return rec;
  }

  private present(r: ProjectRecord, runningExperiments: number): Project {
    const last = this.live.get(r.name)?.table.lastCommit() ?? null;
    return {
      name: r.name,
      source: r.source,
      subdir: r.subdir,
      hasCredentials: r.credentialsEnc !== null,
      settings: ProjectSettings.parse(JSON.parse(r.settingsJson)),
      fetch: { state: r.fetchState, at: r.fetchAt, error: r.fetchError },
      lastCommit: last ? { rev: last.rev, message: last.message, date: last.date } : null,
      runningExperiments,
      createdAt: r.createdAt,
    };
  }
}
