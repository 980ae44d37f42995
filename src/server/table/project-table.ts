import path from 'node:path/posix';
import type { TableRow, Value } from '../../contracts/api.js';
import {
  extractMetrics,
  isHiddenCommit,
  mergeRequests,
  nestDotted,
  pickKeys,
  type FileRequest,
} from '../../core/table/commit-files.js';
import { parseParamsFile } from '../../core/dvc/params-file.js';
import { isDvcIgnoreFile, pipelineFilesOf } from '../../core/dvc/dvcignore.js';
import { CatFile } from '../../git/cat-file.js';
import { readHistory, listRefs, type RefRecord } from '../../git/history.js';
import { gitOk } from '../../git/run-git.js';
import { listExpRefs, readCommits, treeFiles, type ExpRef } from '../../git/exp-refs.js';
import type { Store } from '../../store/port.js';
import { PipelineParser, type Pipeline } from './pipeline-parse.js';
import type { TableCache, TableStats } from './table-cache.js';

type Parsed = { ok: true; value: Record<string, Value> } | { ok: false; error: string };
type Requests = {
  requests: FileRequest[];
  errors: Record<string, string>;
  /** values stages interpolate from vars files that are not params files (DVC's `_collect_vars`) */
  vars: Record<string, Record<string, Value>>;
};

interface CommitState {
  /** unset for a commit restored from the persisted cache until a child needs it */
  files?: Map<string, string>;
  row: TableRow;
  /** the dvc.yaml files DVC collects (project-relative, `.dvcignore` applied), set by fillFromGit */
  pipelines?: string[];
  /** each of those parsed, in the same order */
  parsed?: Array<Pipeline | undefined>;
}

export type RemoteMetrics = (
  sha: string,
) => Promise<{ metrics: Record<string, Record<string, Value>>; errors: Record<string, string> }>;

export interface TableSettings {
  subdir: string | null;
  paramsFiles: readonly string[];
  metricsFiles: readonly string[];
}

/** DVC's ParamsDependency.DEFAULT_PARAMS_FILE, shown whole whenever it exists. */
const DEFAULT_PARAMS = 'params.yaml';
const KEPT_EXTENSIONS = /\.(ya?ml|json|toml|py)$/i;

/**
 * The experiments table of one project, kept in memory and refreshed incrementally: a reload
 * reads only commits it has not seen, and parses each blob once (cached by blob id in memory and
 * in the store).
 */
export class ProjectTable {
  private readonly cat: CatFile;
  private readonly commits = new Map<string, CommitState>();
  private order: string[] = [];
  private refs: RefRecord[] = [];
  private readonly parsed = new Map<string, Parsed>();
  private readonly pipelineParser = new PipelineParser((oids) => this.readBlobs(oids));
  private readonly ignoreTexts = new Map<string, string>();
  private readonly discovered = new Map<string, string[]>();
  private readonly prefix: string;
  /** experiments `dvc exp push` stored (refs/exps), by ref: the commit read and its row */
  private pushed = new Map<string, { sha: string; row: TableRow }>();
  /** rows the persisted cache held at start, reused when the history is read again */
  private persistedRows = new Map<string, TableRow>();
  private restored = false;
  private persistedRefs = '';
  /** commits whose row lacks what the DVC remote could not give: not persisted */
  private readonly incomplete = new Set<string>();
  readonly stats: TableStats = { historyReads: 0, rowsDerived: 0, rowsFromCache: 0 };

  constructor(
    private readonly gitDir: string,
    private readonly settings: TableSettings,
    private readonly store: Store | null,
    /** Metrics a commit's pipeline keeps in DVC (not in Git), read from its DVC remote within a cap. */
    private readonly remoteMetrics: RemoteMetrics | null = null,
    /** where the per-commit rows persist across restarts */
    private readonly cache: TableCache | null = null,
  ) {
    this.cat = new CatFile(gitDir);
    this.prefix = settings.subdir ? settings.subdir.replace(/\/+$/, '') + '/' : '';
  }

  close(): void {
    this.cat.close();
  }

  get size(): number {
    return this.order.length;
  }

  /** Rows newest first; hidden commits only when `all`. */
  rows(all: boolean): TableRow[] {
    const out: TableRow[] = [];
    for (const sha of this.order) {
      const row = this.commits.get(sha)?.row;
      if (row && (all || !row.hidden)) out.push(row);
    }
    return out;
  }

  /**
   * Rows of the experiments pushed with `dvc exp push`, each naming its baseline, read from its
   * commit by the same rules as commit rows (a chain of checkpoint commits: its last one).
   */
  pushedRows(): TableRow[] {
    return [...this.pushed.values()].map((p) => p.row);
  }

  /** How many commits the table holds that `[skip studio]` hides. */
  hiddenCount(): number {
    let n = 0;
    for (const sha of this.order) if (this.commits.get(sha)?.row.hidden) n++;
    return n;
  }

  lastCommit(): TableRow | null {
    const sha = this.order[0];
    return (sha && this.commits.get(sha)?.row) || null;
  }

  /**
   * Brings the table up to date with the mirror. Returns the number of new commits read plus
   * pushed experiments added, moved or removed (0: nothing changed).
   */
  async refresh(): Promise<number> {
    // both ref listings at once: each is a git process, and the second need not wait
    const expRefs = listExpRefs(this.gitDir);
    expRefs.catch(() => undefined);
    if (!this.restored) this.restore();
    const commits = await this.refreshCommits();
    const refsKey = JSON.stringify(this.refs);
    if (commits > 0 || refsKey !== this.persistedRefs) {
      this.persist();
      this.persistedRefs = refsKey;
    }
    return commits + (await this.refreshPushed(await expRefs));
  }

  /** Starts from the persisted table: its rows, and the refs and order they were read at. */
  private restore(): void {
    this.restored = true;
    const saved = this.cache?.load();
    if (!saved) return;
    this.persistedRows = saved.rows;
    if (saved.order.length === 0 || !saved.order.every((sha) => saved.rows.has(sha))) return;
    for (const sha of saved.order) {
      const row = saved.rows.get(sha);
      if (row) this.commits.set(sha, { row });
    }
    this.stats.rowsFromCache += saved.order.length;
    this.order = saved.order;
    this.refs = saved.refs;
    this.persistedRefs = JSON.stringify(saved.refs);
    this.applyRefs();
  }

  private persist(): void {
    this.cache?.save(this.refs, this.order, (sha) =>
      this.incomplete.has(sha) ? null : (this.commits.get(sha)?.row ?? null),
    );
    // rows kept in memory by the table now; the start-up copy is no longer needed
    this.persistedRows = new Map();
  }

  private async refreshPushed(refs: ExpRef[]): Promise<number> {
    const live = new Set(refs.map((r) => r.ref));
    let changed = 0;
    for (const ref of [...this.pushed.keys()])
      if (!live.has(ref)) {
        this.pushed.delete(ref);
        changed++;
      }
    const fresh = refs.filter((r) => this.pushed.get(r.ref)?.sha !== r.sha);
    if (fresh.length === 0) return changed;
    const metas = await readCommits(
      this.gitDir,
      fresh.map((r) => r.sha),
    );
    const states: CommitState[] = [];
    for (const r of fresh) {
      const meta = metas.get(r.sha);
      const files = await treeFiles(this.gitDir, r.sha, (p) => this.keepPath(p));
      const row: TableRow = {
        rev: r.sha,
        message: meta?.message ?? '',
        author: meta?.author ?? '',
        date: meta?.date ?? '',
        branches: [],
        tags: [],
        hidden: false,
        parents: [r.baseline],
        params: {},
        metrics: {},
        errors: {},
        name: r.name,
        baseline: r.baseline,
        status: 'pushed',
      };
      states.push({ files, row });
      this.pushed.set(r.ref, { sha: r.sha, row });
    }
    await this.fillRows(states);
    return changed + fresh.length;
  }

  private async refreshCommits(): Promise<number> {
    const refs = await listRefs(this.gitDir);
    const incremental = this.order.length > 0 && (await this.onlyMovedForward(refs));
    if (!incremental) {
      this.commits.clear();
      this.order = [];
    }
    const known = incremental ? new Set(this.refs.map((r) => r.sha)) : new Set<string>();
    // Only tips not seen before can lead to unseen commits; none means no git log at all.
    const tips = [...new Set(refs.map((r) => r.sha))].filter(
      (sha) => !known.has(sha) && !this.commits.has(sha),
    );
    if (tips.length) this.stats.historyReads++;
    const records = await readHistory(this.gitDir, tips, [...known], (p) => this.keepPath(p));
    const states: Array<{ sha: string; files: Map<string, string> }> = [];
    const bySha = new Map<string, Map<string, string>>();
    for (let i = records.length - 1; i >= 0; i--) {
      const rec = records[i];
      if (!rec) continue;
      const parent = rec.parents[0];
      const base = parent ? (bySha.get(parent) ?? (await this.filesOf(parent))) : undefined;
      const files = new Map(base);
      for (const [p, oid] of rec.changes) {
        if (oid === null) files.delete(p);
        else files.set(p, oid);
      }
      states.push({ sha: rec.sha, files });
      bySha.set(rec.sha, files);
      this.commits.set(rec.sha, {
        files,
        row: {
          rev: rec.sha,
          message: rec.message,
          author: rec.author,
          date: rec.date,
          branches: [],
          tags: [],
          hidden: isHiddenCommit(rec.message),
          parents: rec.parents,
          params: {},
          metrics: {},
          errors: {},
        },
      });
    }
    const toFill: CommitState[] = [];
    for (const s of states) {
      const state = this.commits.get(s.sha);
      if (!state) continue;
      const saved = this.persistedRows.get(s.sha);
      if (saved) {
        state.row.params = saved.params;
        state.row.metrics = saved.metrics;
        state.row.errors = saved.errors;
        this.stats.rowsFromCache++;
      } else toFill.push(state);
    }
    this.stats.rowsDerived += toFill.length;
    await this.fillRows(toFill);
    this.order = [...records.map((r) => r.sha), ...this.order];
    this.refs = refs;
    this.applyRefs();
    return records.length;
  }

  /** The kept files of a known commit; read from its tree when it was restored from the cache. */
  private async filesOf(sha: string): Promise<Map<string, string> | undefined> {
    const state = this.commits.get(sha);
    if (!state) return undefined;
    state.files ??= await treeFiles(this.gitDir, sha, (p) => this.keepPath(p));
    return state.files;
  }

  private keepPath(p: string): boolean {
    if (this.prefix && !p.startsWith(this.prefix)) return false;
    const rel = p.slice(this.prefix.length);
    return (
      KEPT_EXTENSIONS.test(rel) ||
      isDvcIgnoreFile(rel) ||
      this.settings.metricsFiles.includes(rel) ||
      this.settings.paramsFiles.includes(rel)
    );
  }

  private async onlyMovedForward(refs: RefRecord[]): Promise<boolean> {
    const now = new Map(refs.map((r) => [`${r.kind}:${r.name}`, r.sha]));
    for (const old of this.refs) {
      const cur = now.get(`${old.kind}:${old.name}`);
      if (cur === undefined) return false;
      if (
        cur !== old.sha &&
        !(await gitOk(['merge-base', '--is-ancestor', old.sha, cur], { cwd: this.gitDir }))
      )
        return false;
    }
    return true;
  }

  private applyRefs(): void {
    for (const sha of this.order) {
      const row = this.commits.get(sha)?.row;
      if (row && (row.branches.length || row.tags.length)) {
        row.branches = [];
        row.tags = [];
      }
    }
    for (const ref of this.refs) {
      const row = this.commits.get(ref.sha)?.row;
      if (row) (ref.kind === 'branch' ? row.branches : row.tags).push(ref.name);
    }
  }

  /**
   * What a commit's row reads, as `dvc params show` / `dvc metrics show` collect it with no
   * targets: every params file a stage lists (the keys it names, or whole), top-level `params:`
   * and `metrics:` files, stages' metrics, the default params.yaml whole whenever it exists (with
   * or without a dvc.yaml), and vars files' values stages interpolate. Without a dvc.yaml, the
   * project's own params files settings are shown too.
   */
  private requestsFor(state: CommitState): Requests {
    const requests: FileRequest[] = this.settings.metricsFiles.map((file) => ({
      file,
      kind: 'metrics' as const,
      keys: null,
    }));
    if ((state.files ?? EMPTY).has(this.prefix + DEFAULT_PARAMS))
      requests.push({ file: DEFAULT_PARAMS, kind: 'params', keys: null });
    const pipelines = state.pipelines ?? [];
    if (pipelines.length === 0)
      for (const file of this.settings.paramsFiles) requests.push({ file, kind: 'params', keys: null });
    const errors: Record<string, string> = {};
    const vars: Record<string, Record<string, Value>> = {};
    pipelines.forEach((file, i) => {
      // Filled by fillFromGit before use; a miss means the blob could not be read.
      const p = state.parsed?.[i];
      if (p?.ok) {
        requests.push(...p.requests);
        for (const [f, used] of Object.entries(p.vars)) Object.assign((vars[f] ??= {}), used);
      } else errors[file] = p?.error ?? `${file} could not be read`;
    });
    const merged = mergeRequests(requests);
    const paramsFiles = new Set(merged.filter((r) => r.kind === 'params').map((r) => r.file));
    for (const f of Object.keys(vars)) if (paramsFiles.has(f)) delete vars[f];
    return { requests: merged, errors, vars };
  }

  private async fillRows(states: CommitState[]): Promise<void> {
    await this.fillFromGit(states);
    if (!this.remoteMetrics) return;
    // 4. Metrics files dvc.yaml names that the commit does not hold in Git: the DVC remote's copy.
    for (const state of states) {
      const sha = state.row.rev;
      const missing = this.requestsFor(state).requests.some(
        (r) =>
          r.kind === 'metrics' &&
          !this.settings.metricsFiles.includes(r.file) &&
          !(state.files ?? EMPTY).has(this.prefix + r.file),
      );
      if (!missing) continue;
      const remote = await this.remoteMetrics(sha).catch(() => null);
      // what the remote could not give (unreachable, over the cap) may come later: not persisted
      if (!remote || Object.keys(remote.errors).length) this.incomplete.add(sha);
      if (!remote) continue;
      for (const [file, value] of Object.entries(remote.metrics))
        state.row.metrics[file] = extractMetrics(value);
      Object.assign(state.row.errors, remote.errors);
    }
  }

  private async fillFromGit(states: CommitState[]): Promise<void> {
    // 1. The dvc.yaml files DVC collects (no .dvcignore excludes them), each blob parsed once.
    const ignoreOids = new Set<string>();
    for (const state of states)
      for (const [p, oid] of state.files ?? EMPTY)
        if (isDvcIgnoreFile(p) && p.startsWith(this.prefix) && !this.ignoreTexts.has(oid))
          ignoreOids.add(oid);
    for (const [oid, text] of await this.readBlobs([...ignoreOids])) this.ignoreTexts.set(oid, text);
    const pending: Array<{ state: CommitState; file: string }> = [];
    for (const state of states) {
      state.parsed = [];
      const yamls: string[] = [];
      const ignores: Array<{ path: string; oid: string }> = [];
      for (const [p, oid] of state.files ?? EMPTY) {
        if (!p.startsWith(this.prefix)) continue;
        const rel = p.slice(this.prefix.length);
        if (rel === 'dvc.yaml' || rel.endsWith('/dvc.yaml')) yamls.push(rel);
        else if (isDvcIgnoreFile(rel)) ignores.push({ path: rel, oid });
      }
      // commits mostly share their dvc.yaml and .dvcignore paths: match each set once
      const sig = `${yamls.join('\n')}\0${ignores.map((i) => `${i.path}\n${i.oid}`).join('\n')}`;
      let found = this.discovered.get(sig);
      if (found === undefined) {
        const texts = ignores.flatMap((i) => {
          const text = this.ignoreTexts.get(i.oid);
          return text === undefined ? [] : [{ path: i.path, text }];
        });
        found = pipelineFilesOf(yamls, texts);
        if (this.discovered.size > 1000) this.discovered.clear();
        this.discovered.set(sig, found);
      }
      state.pipelines = found;
      for (const file of found) pending.push({ state, file });
    }
    const parsedYamls = await this.pipelineParser.parseAll(
      pending.map(({ state, file }) => ({ file, oidOf: (p) => (state.files ?? EMPTY).get(this.prefix + p) })),
    );
    pending.forEach(({ state }, i) => {
      (state.parsed ??= []).push(parsedYamls[i]);
    });
    // 2. Every params/metrics blob the new commits name, parsed once per (format, blob).
    const wanted = new Map<string, { oid: string; file: string }>();
    const plans: Array<{ state: CommitState; reqs: Requests }> = [];
    for (const state of states) {
      const reqs = this.requestsFor(state);
      plans.push({ state, reqs });
      for (const req of reqs.requests) {
        const oid = (state.files ?? EMPTY).get(this.prefix + req.file);
        if (!oid) continue;
        const key = parseKey(req.file, oid);
        if (!this.parsed.has(key)) wanted.set(key, { oid, file: req.file });
      }
    }
    await this.parseBlobs([...wanted.entries()]);
    // 3. Rows.
    for (const { state, reqs } of plans) {
      const row = state.row;
      Object.assign(row.errors, reqs.errors);
      for (const req of reqs.requests) {
        const oid = (state.files ?? EMPTY).get(this.prefix + req.file);
        if (!oid) {
          if (req.listed && req.kind === 'params')
            row.errors[req.file] = `${req.file}: listed as params in dvc.yaml, but not in this commit`;
          continue;
        }
        const p = this.parsed.get(parseKey(req.file, oid));
        if (!p) continue;
        if (!p.ok) row.errors[req.file] = p.error;
        else if (req.kind === 'params') row.params[req.file] = pickKeys(p.value, req.keys);
        else row.metrics[req.file] = extractMetrics(p.value);
      }
      for (const [file, used] of Object.entries(reqs.vars)) row.params[file] = nestDotted(used);
    }
  }

  private async parseBlobs(entries: Array<[string, { oid: string; file: string }]>): Promise<void> {
    if (entries.length === 0) return;
    const stored = this.store
      ? await this.store.getBlobs(
          'parsed-v1',
          entries.map(([k]) => k),
        )
      : new Map<string, string>();
    const missing = entries.filter(([k]) => {
      const json = stored.get(k);
      if (json === undefined) return true;
      this.parsed.set(k, JSON.parse(json) as Parsed);
      return false;
    });
    const texts = await this.readBlobs([...new Set(missing.map(([, e]) => e.oid))]);
    const fresh: Array<{ oid: string; json: string }> = [];
    for (const [key, { oid, file }] of missing) {
      const text = texts.get(oid);
      const result: Parsed =
        text === undefined ? { ok: false, error: `${file}: could not be read` } : parseParamsFile(file, text);
      this.parsed.set(key, result);
      fresh.push({ oid: key, json: JSON.stringify(result) });
    }
    if (this.store) await this.store.putBlobs('parsed-v1', fresh);
  }

  private async readBlobs(oids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const bufs = await Promise.all(oids.map((oid) => this.cat.contents(oid)));
    oids.forEach((oid, i) => {
      const b = bufs[i];
      if (b) out.set(oid, b.toString('utf8'));
    });
    return out;
  }
}

const EMPTY: ReadonlyMap<string, string> = new Map();

function parseKey(file: string, oid: string): string {
  return `${path.extname(file).toLowerCase() || '.yaml'}:${oid}`;
}
