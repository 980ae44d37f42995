import { randomUUID } from 'node:crypto';
import path from 'node:path/posix';
import { ExperimentStatus } from '../../contracts/api.js';
import {
  CreateExperimentBody,
  isFinished,
  type ChangeSet,
  type CreatedExperiments,
  type Experiment,
  type ExperimentForm,
} from '../../contracts/experiments.js';
import { parseDvcYaml } from '../../core/dvc/dvc-yaml.js';
import { parseParamsFile } from '../../core/dvc/params-file.js';
import { joinPath } from '../../core/dvc/posix-path.js';
import { defaultScript } from '../../core/run/default-script.js';
import type { InputFile } from '../../core/run/inputs.js';
import { flattenParams } from '../../core/run/key-path.js';
import { randomName } from '../../core/run/names.js';
import { canMove } from '../../contracts/run-lifecycle.js';
import { MachineOverrides, type ResolvedMachine } from '../../contracts/compute.js';
import type { ExperimentRecord, Store } from '../../store/port.js';
import { machineOf, placeRun, profileOf, readVariant } from '../compute/variants.js';
import { checkRunBudget } from '../compute/team-budget.js';
import { ApiFailure } from '../api-error.js';
import type { EventBus } from '../event-bus.js';
import type { ProjectService } from '../projects/project-service.js';
import type { LogStore } from './log-store.js';
import { planOverrides } from './plan.js';
import { LaunchStates } from '../compute/launch-attempts.js';
import { addToTimeline, presentExperiment } from './present.js';
import { baselineInputs, baselinePipelines, formInputs } from './baseline-inputs.js';
import { readAt, resolveRev } from '../table/git-read.js';
import type { UploadStore } from './uploads.js';
import type { TableService } from '../table/table-service.js';

/** Commands and reads on experiments; the dispatcher hands their jobs to agents. */
export class ExperimentService {
  private order = Date.now() * 1000;

  constructor(
    private readonly store: Store,
    private readonly projects: ProjectService,
    private readonly bus: EventBus,
    readonly logs: LogStore,
    readonly uploads: UploadStore,
    private readonly tables: Pick<TableService, 'pushedExperiment'>,
  ) {}

  async create(project: string, input: CreateExperimentBody): Promise<CreatedExperiments> {
    const body = CreateExperimentBody.parse(input);
    // The profile's limits: the run's timeout, and the machine within them (a variant for another one).
    const placed = await placeRun(this.store, body.target, body.machine, body.timeoutSec);
    const { mirror, subdir } = await this.where(project);
    const baseline = await resolveRev(mirror, body.rev);
    const read = (file: string) => readAt(mirror, baseline, subdir ? path.join(subdir, file) : file);
    const plans = await planOverrides(body.params, body.set, read);
    // Refused before anything is read or stored: a profile closed to the team, or a cost past its cap.
    await checkRunBudget(this.store, project, placed, plans.length);
    await this.checkInputs(project, mirror, baseline, subdir, body.inputs);
    const script = body.script ?? (await this.defaultScriptAt(mirror, baseline, subdir));
    const names = await this.names(project, body.name, plans.length);
    const sweepId = plans.length > 1 ? randomUUID() : null;
    const now = new Date().toISOString();
    const entries = plans.map((params, i) => {
      const id = randomUUID();
      const changeSet: ChangeSet = { params, inputs: body.inputs, script };
      const experiment: ExperimentRecord = {
        id,
        project,
        name: names[i] ?? `${names[0] ?? 'exp'}-${i + 1}`,
        baseline,
        message: body.message ?? '',
        changeSetJson: JSON.stringify(changeSet),
        target: placed.target,
        timeoutSec: body.timeoutSec,
        priority: body.priority,
        queueOrder: ++this.order,
        status: 'queued',
        timelineJson: JSON.stringify([{ status: 'queued', at: now }]),
        exitCode: null,
        error: null,
        resultCommit: null,
        sweepId,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
      };
      const job = {
        id: randomUUID(),
        experimentId: id,
        state: 'queued' as const,
        agentId: null,
        leaseUntil: null,
        cancelRequested: false,
        runTokenId: null,
        createdAt: now,
      };
      return { experiment, job };
    });
    // Checked again and stored under the team's lock (a PostgreSQL advisory lock shared by every
    // server): two submits at once cannot both fit in what is left of the cap.
    const team = placed.target === 'local' ? null : await this.store.budget.teamOfProject(project);
    const reserve = async () => {
      if (team) await checkRunBudget(this.store, project, placed, plans.length);
      await this.store.experiments.insert(entries);
    };
    await (team ? this.store.exclusive(`team-budget/${team.id}`, reserve) : reserve());
    for (const e of entries) this.publish(e.experiment);
    // The `experiment.status` events above (status queued) wake the agents waiting for work.
    this.bus.publish({ type: 'table.changed', project });
    return {
      experiments: entries.map((e) => presentExperiment(e.experiment, 0, placed.machine)),
      sweepId,
    };
  }

  /** The form, with the baseline's input files (`inputs`, read by the Run form's Inputs tab). */
  async form(project: string, rev: string): Promise<ExperimentForm & { inputs: InputFile[] }> {
    const { mirror, subdir } = await this.where(project);
    const baseline = await resolveRev(mirror, rev);
    const files = ['params.yaml'];
    // params files of every dvc.yaml (nested ones too), relative to the project directory
    for (const { dvcYaml: d } of await baselinePipelines(mirror, baseline, subdir))
      for (const s of d.stages)
        for (const p of s.params) {
          const file = joinPath(d.dir, s.wdir, p.file);
          if (!files.includes(file)) files.push(file);
        }
    const params: ExperimentForm['params'] = [];
    for (const file of files) {
      const text = await readAt(mirror, baseline, subdir ? path.join(subdir, file) : file);
      const parsed = text === null ? null : parseParamsFile(file, text);
      if (parsed?.ok) params.push(...flattenParams(parsed.value).map((p) => ({ file, ...p })));
    }
    return {
      baseline,
      params,
      defaultScript: await this.defaultScriptAt(mirror, baseline, subdir),
      suggestedName: (await this.names(project, undefined, 1))[0] ?? randomName(),
      inputs: formInputs(await baselineInputs(mirror, baseline, subdir)),
    };
  }

  async list(project: string): Promise<Experiment[]> {
    await this.projects.get(project);
    const recs = await this.store.experiments.list(project);
    const profiles = new Map<string, ResolvedMachine | null>();
    const launches = new LaunchStates(this.store);
    return Promise.all(recs.map((r) => this.present(r, profiles, launches)));
  }

  async get(project: string, name: string): Promise<Experiment> {
    const r = await this.record(project, name);
    // a pushed experiment has no run: no machine, no log
    if (r.status === 'pushed') return presentExperiment(r, 0);
    return this.present(r);
  }

  async record(project: string, name: string): Promise<ExperimentRecord> {
    const r = (await this.store.experiments.get(project, name)) ?? (await this.pushedRecord(project, name));
    if (!r) throw new ApiFailure('not_found', `no experiment "${name}" in project "${project}"`);
    return r;
  }

  /**
   * An experiment `dvc exp push` stored, as a finished run's record (never stored): its commit is
   * its result, its change set the params it changed against its baseline, so it gets a finished
   * run's actions (branch, pull request, run again).
   */
  private async pushedRecord(project: string, name: string): Promise<ExperimentRecord | null> {
    const found = await this.tables.pushedExperiment(project, name);
    if (!found) return null;
    const { row, base } = found;
    const params: ChangeSet['params'] = [];
    for (const [file, values] of Object.entries(row.params)) {
      const before = new Map(
        flattenParams(base?.params[file] ?? {}).map((x) => [x.key, JSON.stringify(x.value)]),
      );
      for (const { key, value } of flattenParams(values))
        if (before.get(key) !== JSON.stringify(value)) params.push({ file, key, value });
    }
    const { mirror, subdir } = await this.where(project);
    const script = await this.defaultScriptAt(mirror, row.baseline ?? '', subdir);
    return {
      id: `pushed-${(row.baseline ?? '').slice(0, 12)}-${name}`,
      project,
      name,
      baseline: row.baseline ?? '',
      message: row.message,
      changeSetJson: JSON.stringify({ params, inputs: [], script }),
      target: 'local',
      timeoutSec: 24 * 3600,
      priority: 0,
      queueOrder: 0,
      status: 'pushed',
      timelineJson: JSON.stringify([{ status: 'pushed', at: row.date }]),
      exitCode: null,
      error: null,
      resultCommit: row.rev,
      sweepId: null,
      createdAt: row.date,
      startedAt: null,
      finishedAt: row.date,
    };
  }

  async setPriority(project: string, name: string, priority: number): Promise<Experiment> {
    const r = await this.record(project, name);
    if (r.status !== 'queued')
      throw new ApiFailure(
        'conflict',
        `experiment "${name}" is ${r.status}; only queued runs can be reordered`,
      );
    await this.store.experiments.update(r.id, { priority });
    return this.get(project, name);
  }

  async cancel(project: string, name: string): Promise<Experiment> {
    const r = await this.record(project, name);
    if (isFinished(ExperimentStatus.parse(r.status))) return this.present(r);
    const job = await this.store.experiments.jobFor(r.id);
    if (r.status === 'queued' && job?.state === 'queued') {
      await this.store.experiments.updateJob(job.id, { state: 'done' });
      await this.finish(r, 'cancelled', { error: 'cancelled before it started' });
    } else if (job) {
      // The agent reads the request in its next acknowledgement and stops the run.
      await this.store.experiments.updateJob(job.id, { cancelRequested: true });
    }
    return this.get(project, name);
  }

  async runAgain(project: string, name: string, newName: string | undefined): Promise<CreatedExperiments> {
    const r = await this.record(project, name);
    const cs = presentExperiment(r, 0).changeSet;
    // The same target and machine: a variant's overrides are its machine settings.
    const variant = await readVariant(this.store, r.target);
    return this.create(project, {
      target: profileOf(r.target),
      // A variant without a GPU had the profile's taken off: say so, or the profile's comes back.
      ...(variant
        ? { machine: MachineOverrides.parse({ ...variant.settings, gpu: variant.settings.gpu ?? 'none' }) }
        : {}),
      rev: r.baseline,
      ...(newName ? { name: newName } : {}),
      message: r.message,
      params: cs.params,
      script: cs.script,
      timeoutSec: r.timeoutSec,
      priority: r.priority,
    });
  }

  /** Moves an experiment to a new state, recording when; only along the lifecycle (`contracts/run-lifecycle.ts`). */
  async transition(
    r: ExperimentRecord,
    status: ExperimentStatus,
    patch: Partial<ExperimentRecord> = {},
  ): Promise<ExperimentRecord> {
    const from = ExperimentStatus.parse(r.status);
    if (!canMove(from, status))
      throw new Error(`experiment ${r.project}/${r.name} cannot go from ${from} to ${status}`);
    const at = new Date().toISOString();
    const next: ExperimentRecord = { ...r, ...patch, status, timelineJson: addToTimeline(r, status, at) };
    if (status === 'running' && !r.startedAt) next.startedAt = at;
    if (isFinished(status)) next.finishedAt = at;
    await this.store.experiments.update(r.id, {
      status,
      timelineJson: next.timelineJson,
      startedAt: next.startedAt,
      finishedAt: next.finishedAt,
      exitCode: next.exitCode,
      error: next.error,
      resultCommit: next.resultCommit,
    });
    this.publish(next);
    if (isFinished(status)) this.bus.publish({ type: 'table.changed', project: r.project });
    return next;
  }

  async finish(
    r: ExperimentRecord,
    status: ExperimentStatus,
    patch: Partial<ExperimentRecord>,
  ): Promise<ExperimentRecord> {
    return this.transition(r, status, patch);
  }

  /** `profiles` and `launches` memoize the machines of cloud profiles' defaults and targets' launch states over a list. */
  async present(
    r: ExperimentRecord,
    profiles?: Map<string, ResolvedMachine | null>,
    launches = new LaunchStates(this.store),
  ): Promise<Experiment> {
    const machine = await machineOf(this.store, r.target, r.timeoutSec, profiles);
    const launch = r.status === 'queued' ? await launches.of(r.target) : undefined;
    return {
      ...presentExperiment(r, await this.logs.lastSeq(r.project, r.id), machine),
      ...(launch ? { launch } : {}),
    };
  }

  /** AWS keys for the project's S3 DVC remote, when its settings name a stored credential. */
  dvcRemoteCredentials(project: string) {
    return this.projects.dvcRemoteCredentials(project);
  }

  /** Fetches the project and refreshes its table (a branch was made: its chip shows at once). */
  async reloadProject(project: string): Promise<void> {
    await this.projects.reload(project).catch(() => undefined);
  }

  /** Pushes a commit of the mirror to the project's own remote, with the project's credentials. */
  pushToSource(project: string, sha: string, ref: string): Promise<void> {
    return this.projects.pushToSource(project, sha, ref);
  }

  async where(project: string): Promise<{ mirror: string; subdir: string; source: string }> {
    const p = await this.projects.get(project);
    // A project added a moment ago may still be on its first fetch: wait for it.
    // Or another server of a cluster fetched it, not this one.
    if (p.fetch.state === 'never' || p.fetch.state === 'fetching' || !this.projects.hasMirror(project))
      await this.projects.reload(project);
    return { mirror: this.projects.mirrorDir(project), subdir: p.subdir ?? '', source: p.source };
  }

  /** Each replacement must be an upload of this project and replace a Git- or DVC-tracked file. */
  private async checkInputs(
    project: string,
    mirror: string,
    sha: string,
    subdir: string,
    inputs: ChangeSet['inputs'],
  ): Promise<void> {
    let tracked: Set<string> | undefined;
    for (const i of inputs) {
      if (!(await this.uploads.exists(project, i.uploadId)))
        throw new ApiFailure('bad_request', `no upload "${i.uploadId}" for ${i.path}`);
      tracked ??= new Set((await baselineInputs(mirror, sha, subdir)).map((f) => f.path));
      if (!tracked.has(path.normalize(i.path)))
        throw new ApiFailure(
          'bad_request',
          `"${i.path}" is neither a Git-tracked nor a DVC-tracked file of the baseline`,
        );
    }
  }

  /** Says why a queued experiment is still waiting (a machine that would not start), or clears it. */
  async note(r: ExperimentRecord, error: string | null): Promise<void> {
    if (r.error === error) return;
    await this.store.experiments.update(r.id, { error });
    this.publish({ ...r, error });
  }

  private publish(r: ExperimentRecord): void {
    this.bus.publish({
      type: 'experiment.status',
      project: r.project,
      id: r.id,
      name: r.name,
      status: ExperimentStatus.parse(r.status),
      exitCode: r.exitCode,
    });
  }

  private async defaultScriptAt(mirror: string, sha: string, subdir: string): Promise<string> {
    const text = await readAt(mirror, sha, subdir ? path.join(subdir, 'dvc.yaml') : 'dvc.yaml');
    const parsed = text === null ? null : parseDvcYaml(text, { file: 'dvc.yaml' });
    const stages = parsed?.ok
      ? parsed.value.stages.map((s) => ({
          name: s.name,
          wdir: s.wdir,
          cmds: Array.isArray(s.cmd) ? s.cmd : [s.cmd],
        }))
      : [];
    return defaultScript(stages);
  }

  private async names(project: string, given: string | undefined, count: number): Promise<string[]> {
    if (given) {
      const names = count === 1 ? [given] : Array.from({ length: count }, (_, i) => `${given}-${i + 1}`);
      for (const n of names) {
        if (await this.store.experiments.get(project, n))
          throw new ApiFailure('conflict', `project "${project}" already has an experiment named "${n}"`);
      }
      return names;
    }
    const out: string[] = [];
    while (out.length < count) {
      const n = randomName();
      if (!out.includes(n) && !(await this.store.experiments.get(project, n))) out.push(n);
    }
    return out;
  }
}
