import type { Kysely } from 'kysely';

/** The settings rows that were hidden tables before 008, as the migration reads them. */
interface Legacy {
  settings: { key: string; value: string };
  experiments: { id: string };
  agent_tokens: Record<string, unknown>;
  run_placements: Record<string, unknown>;
  run_checkpoints: Record<string, unknown>;
  compute_machines: Record<string, unknown>;
}

const parse = (raw: string): Record<string, unknown> | null => {
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * '008-store-tables': agent tokens, run placements, checkpoints and machine-starting targets get
 * tables of their own (they were `compute.*` / `runs.checkpoint.*` settings rows, one JSON map
 * rewritten under an in-process lock). Existing rows move over; the settings rows go.
 */
export async function storeTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_tokens')
    .addColumn('token_id', 'text', (c) => c.primaryKey())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('machine_id', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('zone', 'text')
    .addColumn('price_per_hour', 'double precision')
    .addColumn('via', 'text')
    .addColumn('bootstrap_until', 'text')
    .addColumn('bootstrap_revoked', 'integer', (c) => c.notNull())
    .addColumn('exchanged_to', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('run_placements')
    .addColumn('experiment_id', 'text', (c) =>
      c.primaryKey().references('experiments.id').onDelete('cascade'),
    )
    .addColumn('token_id', 'text')
    .addColumn('hostname', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('run_placements_token').on('run_placements').column('token_id').execute();
  await db.schema
    .createTable('run_checkpoints')
    .addColumn('experiment_id', 'text', (c) =>
      c.primaryKey().references('experiments.id').onDelete('cascade'),
    )
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('compute_machines')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('profile', 'text')
    .addColumn('version', 'text', (c) => c.notNull())
    .execute();
  await moveLegacy(db as Kysely<Legacy>);
}

async function moveLegacy(db: Kysely<Legacy>): Promise<void> {
  const rows = await db
    .selectFrom('settings')
    .selectAll()
    .where((eb) => eb.or([eb('key', 'like', 'compute.%'), eb('key', 'like', 'runs.checkpoint.%')]))
    .execute();
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  const experiments = new Set((await db.selectFrom('experiments').select('id').execute()).map((r) => r.id));
  const at = new Date().toISOString();
  const moved: string[] = [];
  for (const { key, value } of rows) {
    const [, kind, id] = /^(compute\.agent|compute\.run|runs\.checkpoint)\.(.+)$/.exec(key) ?? [];
    if (!kind || !id) continue;
    moved.push(key);
    const v = parse(value);
    if (kind === 'runs.checkpoint' && experiments.has(id)) {
      await db
        .insertInto('run_checkpoints')
        .values({ experiment_id: id, sha: value, updated_at: at })
        .execute();
    } else if (kind === 'compute.run' && v && experiments.has(id)) {
      await db
        .insertInto('run_placements')
        .values({
          experiment_id: id,
          token_id: str(v.tokenId),
          hostname: str(v.hostname) ?? '',
          started_at: str(v.startedAt) ?? at,
        })
        .execute();
    } else if (kind === 'compute.agent' && v) {
      const via = str(v.via);
      const base = via ? parse(byKey.get(`compute.agent.${via}`) ?? '') : v;
      const until = byKey.get(`compute.bootstrap.${id}`) ?? null;
      await db
        .insertInto('agent_tokens')
        .values({
          token_id: id,
          target: str(base?.target) ?? 'local',
          kind: str(base?.kind) ?? 'local',
          machine_id: str(base?.id),
          detail: str(base?.detail) ?? '',
          zone: str(base?.zone),
          price_per_hour: num(base?.pricePerHour),
          via,
          bootstrap_until: until === 'revoked' ? at : until,
          bootstrap_revoked: until === 'revoked' ? 1 : 0,
          exchanged_to: byKey.get(`compute.exchanged.${id}`) ?? null,
          created_at: at,
        })
        .execute();
    }
  }
  const machines = parse(byKey.get('compute.machines') ?? '') ?? {};
  for (const [name, m] of Object.entries(machines)) {
    const rec = m && typeof m === 'object' ? (m as Record<string, unknown>) : {};
    await db
      .insertInto('compute_machines')
      .values({
        name,
        kind: str(rec.kind) ?? 'aws',
        settings_json: JSON.stringify(rec.settings ?? null),
        profile: str(rec.profile),
        version: 'migrated',
      })
      .execute();
  }
  const gone = rows
    .map((r) => r.key)
    .filter(
      (k) =>
        moved.includes(k) ||
        k === 'compute.machines' ||
        k === 'compute.machineTokens' ||
        k.startsWith('compute.bootstrap.') ||
        k.startsWith('compute.exchanged.'),
    );
  for (let i = 0; i < gone.length; i += 200)
    await db
      .deleteFrom('settings')
      .where('key', 'in', gone.slice(i, i + 200))
      .execute();
}
