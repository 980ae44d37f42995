import path from 'node:path/posix';
import type { TableRow, Value } from '../../contracts/api.js';
import { isHiddenCommit, mergeRequests, pickKeys, type FileRequest } from '../../core/table/commit-files.js';
import { parseParamsFile } from '../../core/dvc/params-file.js';
import { collectTableFiles, parseDvcYaml } from '../../core/dvc/dvc-yaml.js';
import { CatFile } from '../../git/cat-file.js';
import { readHistory, listRefs, type RefRecord } from '../../git/history.js';
import { gitOk } from '../../git/run-git.js';
import type { Store } from '../../store/port.js';

type Parsed = { ok: true; value: Record<string, Value> } | { ok: false; error: string };
type Requests = { ok: true; requests: FileRequest[] } | { ok: false; error: string; requests: FileRequest[] };

interface CommitState {
  files: Map<string, string>;
  row: TableRow;
}

export type RemoteMetrics = (
  sha: string,
) => Promise<{ metrics: Record<string, Record<string, Value>>; errors: Record<string, string> }>;

export interface TableSettings {
  subdir: string | null;
  paramsFiles: readonly string[];
  metricsFiles: readonly string[];
}

const DVCLIVE_METRICS = 'dvclive/metrics.json';
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
  private readonly dvcYamls = new Map<string, Requests>();
  private readonly prefix: string;

  constructor(
    private readonly gitDir: string,
    private readonly settings: TableSettings,
    private readonly store: Store | null,
    /** Metrics a commit's pipeline keeps in DVC (not in Git), read from its DVC remote within a cap. */
    private readonly remoteMetrics: RemoteMetrics | null = null,
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

  lastCommit(): TableRow | null {
    const sha = this.order[0];
    return (sha && this.commits.get(sha)?.row) || null;
  }

  /** Brings the table up to date with the mirror. Returns the number of new commits read. */
  async refresh(): Promise<number> {
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
    const records = await readHistory(this.gitDir, tips, [...known], (p) => this.keepPath(p));
    const states: Array<{ sha: string; files: Map<string, string> }> = [];
    for (let i = records.length - 1; i >= 0; i--) {
      const rec = records[i];
      if (!rec) continue;
      const parent = rec.parents[0];
      const base = parent
        ? (this.commits.get(parent)?.files ?? states.find((s) => s.sha === parent)?.files)
        : undefined;
      const files = new Map(base);
      for (const [p, oid] of rec.changes) {
        if (oid === null) files.delete(p);
        else files.set(p, oid);
      }
      states.push({ sha: rec.sha, files });
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
    await this.fillRows(states.map((s) => s.sha));
    this.order = [...records.map((r) => r.sha), ...this.order];
    this.refs = refs;
    this.applyRefs();
    return records.length;
  }

  private keepPath(p: string): boolean {
    if (this.prefix && !p.startsWith(this.prefix)) return false;
    const rel = p.slice(this.prefix.length);
    return (
      KEPT_EXTENSIONS.test(rel) ||
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

  private requestsFor(files: Map<string, string>): Requests {
    const extra: FileRequest[] = [
      { file: DVCLIVE_METRICS, kind: 'metrics', keys: null },
      ...this.settings.metricsFiles.map((file) => ({ file, kind: 'metrics' as const, keys: null })),
    ];
    const fallback: FileRequest[] = [
      ...(this.settings.paramsFiles.length ? this.settings.paramsFiles : ['params.yaml']).map((file) => ({
        file,
        kind: 'params' as const,
        keys: null,
      })),
      ...extra,
    ];
    const dvcOid = files.get(`${this.prefix}dvc.yaml`);
    if (!dvcOid) return { ok: true, requests: mergeRequests(fallback) };
    const cached = this.dvcYamls.get(dvcOid);
    if (cached) return cached;
    // Filled by fillRows before use; a miss means the blob could not be read.
    return { ok: false, error: 'dvc.yaml could not be read', requests: mergeRequests(fallback) };
  }

  private async fillRows(shas: string[]): Promise<void> {
    await this.fillFromGit(shas);
    if (!this.remoteMetrics) return;
    // 4. Metrics files dvc.yaml names that the commit does not hold in Git: the DVC remote's copy.
    for (const sha of shas) {
      const state = this.commits.get(sha);
      const dvcOid = state?.files.get(`${this.prefix}dvc.yaml`);
      const reqs = dvcOid ? this.dvcYamls.get(dvcOid) : undefined;
      if (!state || !reqs?.ok) continue;
      const missing = reqs.requests.some(
        (r) =>
          r.kind === 'metrics' &&
          r.file !== DVCLIVE_METRICS &&
          !this.settings.metricsFiles.includes(r.file) &&
          !state.files.has(this.prefix + r.file),
      );
      if (!missing) continue;
      const remote = await this.remoteMetrics(sha).catch(() => null);
      if (!remote) continue;
      Object.assign(state.row.metrics, remote.metrics);
      Object.assign(state.row.errors, remote.errors);
    }
  }

  private async fillFromGit(shas: string[]): Promise<void> {
    // 1. dvc.yaml blobs, each parsed once.
    const dvcOids = new Set<string>();
    for (const sha of shas) {
      const oid = this.commits.get(sha)?.files.get(`${this.prefix}dvc.yaml`);
      if (oid && !this.dvcYamls.has(oid)) dvcOids.add(oid);
    }
    const dvcTexts = await this.readBlobs([...dvcOids]);
    for (const [oid, text] of dvcTexts) {
      const r = parseDvcYaml(text, { file: 'dvc.yaml' });
      const fallback: FileRequest[] = [{ file: 'params.yaml', kind: 'params', keys: null }];
      if (!r.ok) {
        this.dvcYamls.set(oid, { ok: false, error: r.error, requests: fallback });
        continue;
      }
      const tf = collectTableFiles(r.value);
      this.dvcYamls.set(oid, {
        ok: true,
        requests: mergeRequests([
          ...tf.params.map((p) => ({ file: p.file, kind: 'params' as const, keys: p.keys })),
          ...tf.metrics.map((file) => ({ file, kind: 'metrics' as const, keys: null })),
          { file: DVCLIVE_METRICS, kind: 'metrics', keys: null },
          ...this.settings.metricsFiles.map((file) => ({ file, kind: 'metrics' as const, keys: null })),
        ]),
      });
    }
    // 2. Every params/metrics blob the new commits name, parsed once per (format, blob).
    const wanted = new Map<string, { oid: string; file: string }>();
    const plans: Array<{ state: CommitState; reqs: Requests }> = [];
    for (const sha of shas) {
      const state = this.commits.get(sha);
      if (!state) continue;
      const reqs = this.requestsFor(state.files);
      plans.push({ state, reqs });
      for (const req of reqs.requests) {
        const oid = state.files.get(this.prefix + req.file);
        if (!oid) continue;
        const key = parseKey(req.file, oid);
        if (!this.parsed.has(key)) wanted.set(key, { oid, file: req.file });
      }
    }
    await this.parseBlobs([...wanted.entries()]);
    // 3. Rows.
    for (const { state, reqs } of plans) {
      const row = state.row;
      if (!reqs.ok) row.errors['dvc.yaml'] = reqs.error;
      for (const req of reqs.requests) {
        const oid = state.files.get(this.prefix + req.file);
        if (!oid) continue;
        const p = this.parsed.get(parseKey(req.file, oid));
        if (!p) continue;
        if (!p.ok) row.errors[req.file] = p.error;
        else row[req.kind][req.file] = req.kind === 'params' ? pickKeys(p.value, req.keys) : p.value;
      }
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

function parseKey(file: string, oid: string): string {
  return `${path.extname(file).toLowerCase() || '.yaml'}:${oid}`;
}
