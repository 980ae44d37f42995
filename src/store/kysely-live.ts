import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { Database, LiveExperimentsTable } from './schema.js';
import { isBusy } from './sqlite-busy.js';
import type { LiveExperimentRecord, LiveImageRecord, LivePointRecord, LiveSave, LiveStore } from './port.js';

/** Rows per multi-row insert: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 200;

type Experiment = LiveSave['experiment'];
interface PointRow {
  experiment_id: string;
  plot: string;
  step: number;
  row_json: string;
}

/** A batch as rows to write: one state per experiment and one row per point, later items winning. */
function collapse(batch: readonly LiveSave[]): { experiments: Experiment[]; points: PointRow[] } {
  const latest = new Map<string, Experiment>();
  const points = new Map<string, PointRow>();
  for (const { experiment, points: ps } of batch) {
    latest.set(experiment.id, experiment);
    for (const p of ps)
      points.set(`${experiment.id}\0${p.plot}\0${p.step}`, {
        experiment_id: experiment.id,
        plot: p.plot,
        step: p.step,
        row_json: p.rowJson,
      });
  }
  return { experiments: [...latest.values()], points: [...points.values()] };
}

/**
 * SQLite's hot path: the live ingest writes through statements prepared once on the raw
 * better-sqlite3 handle, a whole batch in one synchronous transaction. Kysely would compile and
 * prepare a fresh statement for every query.
 */
class SqliteLiveWriter {
  private readonly write: (batch: readonly LiveSave[]) => void;

  constructor(readonly handle: BetterSqlite3.Database) {
    const exp = handle.prepare(
      `insert into live_experiments
         (id, project, baseline, name, kiln_experiment_id, summary_json, pushed, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (id) do update set kiln_experiment_id = excluded.kiln_experiment_id,
         summary_json = excluded.summary_json, pushed = excluded.pushed, updated_at = excluded.updated_at`,
    );
    const point = handle.prepare(
      `insert into live_points (experiment_id, plot, step, row_json) values (?, ?, ?, ?)
       on conflict (experiment_id, plot, step) do update set row_json = excluded.row_json`,
    );
    const image = handle.prepare(
      `insert into live_images (experiment_id, plot, step, base64) values (?, ?, ?, ?)
       on conflict (experiment_id, plot) do update set step = excluded.step, base64 = excluded.base64`,
    );
    this.write = handle.transaction((batch: readonly LiveSave[]) => {
      const { experiments, points } = collapse(batch);
      for (const e of experiments)
        exp.run(
          e.id,
          e.project,
          e.baseline,
          e.name,
          e.kilnExperimentId,
          e.summaryJson,
          e.pushed ? 1 : 0,
          e.createdAt,
          e.updatedAt,
        );
      for (const p of points) point.run(p.experiment_id, p.plot, p.step, p.row_json);
      for (const { experiment, images } of batch)
        for (const img of images) image.run(experiment.id, img.plot, img.step, img.base64);
    });
  }

  /**
   * False while a Kysely transaction holds the connection, or another program holds the lock:
   * then the caller takes the Kysely path (which waits for a lock without blocking the loop).
   */
  save(batch: readonly LiveSave[]): boolean {
    if (this.handle.inTransaction) return false;
    try {
      this.write(batch);
    } catch (err) {
      if (isBusy(err)) return false;
      throw err;
    }
    return true;
  }
}

function toRecord(r: Selectable<LiveExperimentsTable>): LiveExperimentRecord {
  return {
    id: r.id,
    project: r.project,
    baseline: r.baseline,
    name: r.name,
    kilnExperimentId: r.kiln_experiment_id,
    summaryJson: r.summary_json,
    pushed: Number(r.pushed) !== 0,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class KyselyLiveStore implements LiveStore {
  constructor(private readonly db: Kysely<Database>) {}

  private fast: SqliteLiveWriter | null = null;

  /** SQLite only: writes ingest batches through cached statements on the raw handle. */
  useSqliteHandle(handle: BetterSqlite3.Database): void {
    this.fast = new SqliteLiveWriter(handle);
  }

  async save(batch: readonly LiveSave[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.fast?.save(batch)) return;
    const { experiments, points } = collapse(batch);
    await this.db.transaction().execute(async (tx) => {
      const rows = experiments.map((e) => ({
        id: e.id,
        project: e.project,
        baseline: e.baseline,
        name: e.name,
        kiln_experiment_id: e.kilnExperimentId,
        summary_json: e.summaryJson,
        pushed: e.pushed ? 1 : 0,
        created_at: e.createdAt,
        updated_at: e.updatedAt,
      }));
      for (let i = 0; i < rows.length; i += CHUNK) {
        await tx
          .insertInto('live_experiments')
          .values(rows.slice(i, i + CHUNK))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              kiln_experiment_id: eb.ref('excluded.kiln_experiment_id'),
              summary_json: eb.ref('excluded.summary_json'),
              pushed: eb.ref('excluded.pushed'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      for (let i = 0; i < points.length; i += CHUNK) {
        await tx
          .insertInto('live_points')
          .values(points.slice(i, i + CHUNK))
          .onConflict((oc) =>
            oc
              .columns(['experiment_id', 'plot', 'step'])
              .doUpdateSet((eb) => ({ row_json: eb.ref('excluded.row_json') })),
          )
          .execute();
      }
      for (const { experiment, images } of batch)
        for (const img of images) {
          await tx
            .insertInto('live_images')
            .values({ experiment_id: experiment.id, plot: img.plot, step: img.step, base64: img.base64 })
            .onConflict((oc) =>
              oc.columns(['experiment_id', 'plot']).doUpdateSet({ step: img.step, base64: img.base64 }),
            )
            .execute();
        }
    });
  }

  async get(project: string, baseline: string, name: string): Promise<LiveExperimentRecord | null> {
    const r = await this.db
      .selectFrom('live_experiments')
      .selectAll()
      .where('project', '=', project)
      .where('baseline', '=', baseline)
      .where('name', '=', name)
      .executeTakeFirst();
    return r ? toRecord(r) : null;
  }

  async getById(id: string): Promise<LiveExperimentRecord | null> {
    const r = await this.db
      .selectFrom('live_experiments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toRecord(r) : null;
  }

  async list(project: string): Promise<LiveExperimentRecord[]> {
    const rows = await this.db
      .selectFrom('live_experiments')
      .selectAll()
      .where('project', '=', project)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  async remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('live_points').where('experiment_id', 'in', ids).execute();
      await tx.deleteFrom('live_images').where('experiment_id', 'in', ids).execute();
      const res = await tx.deleteFrom('live_experiments').where('id', 'in', ids).executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }

  async points(experimentId: string): Promise<LivePointRecord[]> {
    const rows = await this.db
      .selectFrom('live_points')
      .select(['plot', 'step', 'row_json'])
      .where('experiment_id', '=', experimentId)
      .orderBy('plot')
      .orderBy('step')
      .execute();
    return rows.map((r) => ({ plot: r.plot, step: Number(r.step), rowJson: r.row_json }));
  }

  async images(experimentId: string): Promise<LiveImageRecord[]> {
    const rows = await this.db
      .selectFrom('live_images')
      .select(['plot', 'step', 'base64'])
      .where('experiment_id', '=', experimentId)
      .orderBy('plot')
      .execute();
    return rows.map((r) => ({ plot: r.plot, step: Number(r.step), base64: r.base64 }));
  }
}
