import type { Compilable, CompiledQuery, Kysely, QueryResult, Selectable } from 'kysely';
import type { Database, ExperimentsTable, JobsTable } from './schema.js';
import type { ExperimentRecord, ExperimentStore, JobRecord } from './port.js';
import { FINISHED } from '../contracts/run-lifecycle.js';

function toExp(r: Selectable<ExperimentsTable>): ExperimentRecord {
  return {
    id: r.id,
    project: r.project,
    name: r.name,
    baseline: r.baseline,
    message: r.message,
    changeSetJson: r.change_set_json,
    target: r.target,
    timeoutSec: Number(r.timeout_sec),
    priority: Number(r.priority),
    queueOrder: Number(r.queue_order),
    status: r.status,
    timelineJson: r.timeline_json,
    exitCode: r.exit_code === null ? null : Number(r.exit_code),
    error: r.error,
    resultCommit: r.result_commit,
    sweepId: r.sweep_id,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

function expRow(e: Partial<ExperimentRecord>): Partial<Selectable<ExperimentsTable>> {
  const out: Partial<Selectable<ExperimentsTable>> = {};
  if (e.id !== undefined) out.id = e.id;
  if (e.project !== undefined) out.project = e.project;
  if (e.name !== undefined) out.name = e.name;
  if (e.baseline !== undefined) out.baseline = e.baseline;
  if (e.message !== undefined) out.message = e.message;
  if (e.changeSetJson !== undefined) out.change_set_json = e.changeSetJson;
  if (e.target !== undefined) out.target = e.target;
  if (e.timeoutSec !== undefined) out.timeout_sec = e.timeoutSec;
  if (e.priority !== undefined) out.priority = e.priority;
  if (e.queueOrder !== undefined) out.queue_order = e.queueOrder;
  if (e.status !== undefined) out.status = e.status;
  if (e.timelineJson !== undefined) out.timeline_json = e.timelineJson;
  if (e.exitCode !== undefined) out.exit_code = e.exitCode;
  if (e.error !== undefined) out.error = e.error;
  if (e.resultCommit !== undefined) out.result_commit = e.resultCommit;
  if (e.sweepId !== undefined) out.sweep_id = e.sweepId;
  if (e.createdAt !== undefined) out.created_at = e.createdAt;
  if (e.startedAt !== undefined) out.started_at = e.startedAt;
  if (e.finishedAt !== undefined) out.finished_at = e.finishedAt;
  return out;
}

function toJob(r: Selectable<JobsTable>): JobRecord {
  const state = r.state === 'claimed' || r.state === 'done' ? r.state : 'queued';
  return {
    id: r.id,
    experimentId: r.experiment_id,
    state,
    agentId: r.agent_id,
    leaseUntil: r.lease_until,
    cancelRequested: Number(r.cancel_requested) !== 0,
    runTokenId: r.run_token_id,
    createdAt: r.created_at,
  };
}

function jobRow(j: Partial<JobRecord>): Partial<Selectable<JobsTable>> {
  const out: Partial<Selectable<JobsTable>> = {};
  if (j.id !== undefined) out.id = j.id;
  if (j.experimentId !== undefined) out.experiment_id = j.experimentId;
  if (j.state !== undefined) out.state = j.state;
  if (j.agentId !== undefined) out.agent_id = j.agentId;
  if (j.leaseUntil !== undefined) out.lease_until = j.leaseUntil;
  if (j.cancelRequested !== undefined) out.cancel_requested = j.cancelRequested ? 1 : 0;
  if (j.runTokenId !== undefined) out.run_token_id = j.runTokenId;
  if (j.createdAt !== undefined) out.created_at = j.createdAt;
  return out;
}

/** Stands for the i-th value of a query compiled once (see `run`). */
type Slot = (i: number) => never;
const SLOT = /^__kiln_slot_(\d+)$/;

/** Experiments and jobs in Kysely, shared by the SQLite and PostgreSQL adapters. */
export class KyselyExperimentStore implements ExperimentStore {
  /** Compiled hot queries by shape, with which value each of their parameters takes. */
  private readonly compiled = new Map<string, { query: CompiledQuery; from: Array<number | null> }>();

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Runs a query the scheduler sends several times per dispatch. Kysely builds and compiles a
   * query's tree on every call, which costs more than SQLite takes to run these; each shape
   * (`key`) is compiled once with placeholders, then run with `values` in their places.
   */
  private run<O>(
    key: string,
    values: readonly unknown[],
    build: (slot: Slot) => Compilable<O>,
  ): Promise<QueryResult<O>> {
    let c = this.compiled.get(key);
    if (!c) {
      const query = build((i) => `__kiln_slot_${i}` as never).compile();
      const from = query.parameters.map((p) => {
        const m = typeof p === 'string' ? SLOT.exec(p) : null;
        return m ? Number(m[1]) : null;
      });
      c = { query, from };
      this.compiled.set(key, c);
    }
    const { query, from } = c;
    return this.db.executeQuery<O>({
      ...query,
      parameters: from.map((v, i) => (v === null ? query.parameters[i] : values[v])),
    });
  }

  async insert(entries: ReadonlyArray<{ experiment: ExperimentRecord; job: JobRecord }>): Promise<void> {
    if (entries.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const { experiment, job } of entries) {
        await tx
          .insertInto('experiments')
          .values(toFull(expRow(experiment)))
          .execute();
        await tx
          .insertInto('jobs')
          .values(toFullJob(jobRow(job)))
          .execute();
      }
    });
  }

  async get(project: string, name: string): Promise<ExperimentRecord | null> {
    const r = await this.db
      .selectFrom('experiments')
      .selectAll()
      .where('project', '=', project)
      .where('name', '=', name)
      .executeTakeFirst();
    return r ? toExp(r) : null;
  }

  async getById(id: string): Promise<ExperimentRecord | null> {
    const { rows } = await this.run('getById', [id], (v) =>
      this.db.selectFrom('experiments').selectAll().where('id', '=', v(0)),
    );
    return rows[0] ? toExp(rows[0]) : null;
  }

  async list(project: string): Promise<ExperimentRecord[]> {
    const rows = await this.db
      .selectFrom('experiments')
      .selectAll()
      .where('project', '=', project)
      .orderBy('queue_order', 'desc')
      .execute();
    return rows.map(toExp);
  }

  async update(id: string, patch: Partial<Omit<ExperimentRecord, 'id' | 'project' | 'name'>>): Promise<void> {
    const set = Object.entries(expRow(patch));
    if (!set.length) return;
    await this.run(`update:${set.map(([k]) => k).join(',')}`, [...set.map(([, v]) => v), id], (v) =>
      this.db
        .updateTable('experiments')
        .set(Object.fromEntries(set.map(([k], i) => [k, v(i)])))
        .where('id', '=', v(set.length)),
    );
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const { rows } = await this.run('getJob', [id], (v) =>
      this.db.selectFrom('jobs').selectAll().where('id', '=', v(0)),
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  async jobFor(experimentId: string): Promise<JobRecord | null> {
    const r = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('experiment_id', '=', experimentId)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return r ? toJob(r) : null;
  }

  async updateJob(id: string, patch: Partial<Omit<JobRecord, 'id' | 'experimentId'>>): Promise<void> {
    const set = Object.entries(jobRow(patch));
    if (!set.length) return;
    await this.run(`updateJob:${set.map(([k]) => k).join(',')}`, [...set.map(([, v]) => v), id], (v) =>
      this.db
        .updateTable('jobs')
        .set(Object.fromEntries(set.map(([k], i) => [k, v(i)])))
        .where('id', '=', v(set.length)),
    );
  }

  async claim(
    target: string,
    agentId: string,
    leaseUntil: string,
  ): Promise<{ job: JobRecord; experiment: ExperimentRecord } | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      // Walks the experiments_queue index in dispatch order and stops at the first row whose job
      // is free: no sort, whatever the queue's length.
      const [next] = (
        await this.run('claim.next', [target], (v) =>
          this.db
            .selectFrom('experiments')
            .selectAll()
            .where('target', '=', v(0))
            .where('status', '=', 'queued')
            .where(({ exists, selectFrom }) =>
              exists(
                selectFrom('jobs')
                  .select('jobs.id')
                  .whereRef('jobs.experiment_id', '=', 'experiments.id')
                  .where('jobs.state', '=', 'queued'),
              ),
            )
            .orderBy('priority', 'desc')
            .orderBy('queue_order', 'asc')
            .limit(1),
        )
      ).rows;
      if (!next) return null;
      const [free] = (
        await this.run('claim.job', [next.id], (v) =>
          this.db
            .selectFrom('jobs')
            .selectAll()
            .where('experiment_id', '=', v(0))
            .where('state', '=', 'queued')
            .limit(1),
        )
      ).rows;
      if (!free) continue;
      const r = await this.run('claim.take', [agentId, leaseUntil, free.id], (v) =>
        this.db
          .updateTable('jobs')
          .set({ state: 'claimed', agent_id: v(0), lease_until: v(1) })
          .where('id', '=', v(2))
          .where('state', '=', 'queued'),
      );
      if (Number(r.numAffectedRows ?? 0) === 0) continue;
      const job: JobRecord = { ...toJob(free), state: 'claimed', agentId, leaseUntil };
      return { job, experiment: toExp(next) };
    }
    return null;
  }

  async claimedCount(target: string): Promise<number> {
    const { rows } = await this.run('claimedCount', [target], (v) =>
      this.db
        .selectFrom('jobs')
        .innerJoin('experiments', 'experiments.id', 'jobs.experiment_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('jobs.state', '=', 'claimed')
        .where('experiments.target', '=', v(0)),
    );
    return Number(rows[0]?.n ?? 0);
  }

  async claimed(): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('state', '=', 'claimed').execute();
    return rows.map(toJob);
  }

  async activeCounts(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('experiments')
      .select(['project', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'not in', [...FINISHED])
      .groupBy('project')
      .execute();
    return new Map(rows.map((r) => [r.project, Number(r.n)]));
  }

  async activeByTarget(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('experiments')
      .select(['target', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'not in', [...FINISHED])
      .groupBy('target')
      .execute();
    return new Map(rows.map((r) => [r.target, Number(r.n)]));
  }

  async queued(target: string): Promise<ExperimentRecord[]> {
    const rows = await this.db
      .selectFrom('experiments')
      .selectAll()
      .where('target', '=', target)
      .where('status', '=', 'queued')
      .orderBy('priority', 'desc')
      .orderBy('queue_order', 'asc')
      .execute();
    return rows.map(toExp);
  }

  async claimedElsewhere(target: string): Promise<Array<{ job: JobRecord; target: string }>> {
    const rows = await this.db
      .selectFrom('jobs')
      .innerJoin('experiments', 'experiments.id', 'jobs.experiment_id')
      .selectAll('jobs')
      .select('experiments.target as experiment_target')
      .where('jobs.state', '=', 'claimed')
      .where('experiments.target', '!=', target)
      .execute();
    return rows.map((r) => ({ job: toJob(r), target: r.experiment_target }));
  }
}

function toFull(r: Partial<Selectable<ExperimentsTable>>): Selectable<ExperimentsTable> {
  const {
    id,
    project,
    name,
    baseline,
    message,
    change_set_json,
    target,
    timeout_sec,
    priority,
    queue_order,
    status,
    timeline_json,
  } = r;
  if (
    id === undefined ||
    project === undefined ||
    name === undefined ||
    baseline === undefined ||
    message === undefined ||
    change_set_json === undefined ||
    target === undefined ||
    timeout_sec === undefined ||
    priority === undefined ||
    queue_order === undefined ||
    status === undefined ||
    timeline_json === undefined ||
    r.created_at === undefined
  ) {
    throw new Error('experiment record is incomplete');
  }
  return {
    id,
    project,
    name,
    baseline,
    message,
    change_set_json,
    target,
    timeout_sec,
    priority,
    queue_order,
    status,
    timeline_json,
    exit_code: r.exit_code ?? null,
    error: r.error ?? null,
    result_commit: r.result_commit ?? null,
    sweep_id: r.sweep_id ?? null,
    created_at: r.created_at,
    started_at: r.started_at ?? null,
    finished_at: r.finished_at ?? null,
  };
}

function toFullJob(r: Partial<Selectable<JobsTable>>): Selectable<JobsTable> {
  if (
    r.id === undefined ||
    r.experiment_id === undefined ||
    r.state === undefined ||
    r.created_at === undefined
  ) {
    throw new Error('job record is incomplete');
  }
  return {
    id: r.id,
    experiment_id: r.experiment_id,
    state: r.state,
    agent_id: r.agent_id ?? null,
    lease_until: r.lease_until ?? null,
    cancel_requested: r.cancel_requested ?? 0,
    run_token_id: r.run_token_id ?? null,
    created_at: r.created_at,
  };
}
