import path from 'node:path/posix';
import { ExperimentStatus, type TableRow, type Value } from '../../contracts/api.js';
import { ChangeSet } from '../../contracts/experiments.js';
import { parseParamsFile } from '../../core/dvc/params-file.js';
import { setAt } from '../../core/run/key-path.js';
import type { ExperimentRecord, Store } from '../../store/port.js';
import { profileOf } from '../compute/variants.js';
import type { ProjectService } from '../projects/project-service.js';
import { LaunchStates } from '../compute/launch-attempts.js';
import type { RepoReader } from './repo-reader.js';

type Files = Record<string, Record<string, Value>>;

const DVCLIVE_METRICS = 'dvclive/metrics.json';

/**
 * Experiment rows for the table: a finished run shows the params and metrics of its result
 * commit; an unfinished one its baseline's params with the change set applied.
 */
export class ExperimentRows {
  private readonly results = new Map<
    string,
    { params: Files; metrics: Files; errors: Record<string, string> }
  >();

  constructor(
    private readonly store: Store,
    private readonly projects: ProjectService,
    private readonly repo: RepoReader,
  ) {}

  async rows(project: string, baselines: ReadonlyMap<string, TableRow>): Promise<TableRow[]> {
    const recs = await this.store.experiments.list(project);
    if (recs.length === 0) return [];
    const p = await this.projects.record(project);
    const out: TableRow[] = [];
    const launches = new LaunchStates(this.store);
    for (const r of recs) {
      const base = baselines.get(r.baseline);
      if (!base) continue;
      const row = await this.row(r, base, p.subdir ?? '');
      const launch = r.status === 'queued' ? await launches.of(r.target) : undefined;
      out.push(launch ? { ...row, launch } : row);
    }
    return out;
  }

  private async row(r: ExperimentRecord, base: TableRow, subdir: string): Promise<TableRow> {
    const cs = ChangeSet.parse(JSON.parse(r.changeSetJson));
    let params: Files = structuredClone(base.params);
    let metrics: Files = {};
    let errors: Record<string, string> = {};
    if (r.resultCommit) {
      const got = await this.read(r.project, r.resultCommit, base, subdir);
      params = got.params;
      metrics = got.metrics;
      errors = got.errors;
    } else {
      for (const o of cs.params) {
        const file = params[o.file] ?? {};
        const next = setAt(file, o.key, o.value);
        if (next !== null && typeof next === 'object' && !Array.isArray(next)) params[o.file] = next;
      }
    }
    return {
      rev: r.resultCommit ?? r.id,
      message: r.message || `experiment ${r.name}`,
      author: base.author,
      date: r.finishedAt ?? r.startedAt ?? r.createdAt,
      branches: [],
      tags: [],
      hidden: false,
      parents: [r.baseline],
      params,
      metrics,
      errors,
      name: r.name,
      baseline: r.baseline,
      status: ExperimentStatus.parse(r.status),
      target: profileOf(r.target),
      ...(r.sweepId !== null ? { sweep: r.sweepId } : {}),
    };
  }

  private async read(project: string, sha: string, base: TableRow, subdir: string) {
    const hit = this.results.get(sha);
    if (hit) return hit;
    const result = { params: {} as Files, metrics: {} as Files, errors: {} as Record<string, string> };
    const want: Array<['params' | 'metrics', string]> = [
      ...Object.keys(base.params).map((f): ['params', string] => ['params', f]),
      ...[...new Set([...Object.keys(base.metrics), DVCLIVE_METRICS])].map((f): ['metrics', string] => [
        'metrics',
        f,
      ]),
    ];
    for (const [kind, file] of want) {
      const text = await this.repo.textAt(project, sha, subdir ? path.join(subdir, file) : file);
      if (text === null) continue;
      const parsed = parseParamsFile(file, text);
      if (parsed.ok) result[kind][file] = parsed.value;
      else result.errors[file] = parsed.error;
    }
    // metrics the pipeline caches are not in Git: they come from the DVC remote, within a cap
    const remote = await this.repo.remoteMetrics(project, sha);
    Object.assign(result.metrics, remote.metrics);
    Object.assign(result.errors, remote.errors);
    this.results.set(sha, result);
    return result;
  }
}
