import { type Kysely, type Selectable, sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { ComputeKind } from '../contracts/compute.js';
import { FINISHED } from '../contracts/experiments.js';
import type {
  AgentPlacement,
  AgentStore,
  BootstrapRecord,
  ExchangeOutcome,
  LaunchAttemptRecord,
  MachineTargetRecord,
  RunPlacementRecord,
} from './agent-port.js';
import type { AgentTokensTable, ComputeMachinesTable, Database, LaunchAttemptsTable } from './schema.js';

const now = () => new Date().toISOString();

function toPlacement(r: Selectable<AgentTokensTable>): AgentPlacement {
  return {
    target: r.target,
    kind: r.kind as ComputeKind,
    machineId: r.machine_id,
    detail: r.detail,
    zone: r.zone,
    pricePerHour: r.price_per_hour === null ? null : Number(r.price_per_hour),
  };
}

function toBootstrap(r: Selectable<AgentTokensTable>): BootstrapRecord {
  return {
    tokenId: r.token_id,
    target: r.target,
    machineId: r.machine_id,
    until: r.bootstrap_until ?? '',
    revoked: Number(r.bootstrap_revoked) !== 0,
    exchangedTo: r.exchanged_to,
    createdAt: r.created_at,
  };
}

function toLaunch(r: Selectable<LaunchAttemptsTable>): LaunchAttemptRecord {
  return {
    target: r.target,
    attempts: Number(r.attempts),
    firstAt: r.first_at,
    nextAt: r.next_at,
    lastError: r.last_error,
  };
}

function toMachine(r: Selectable<ComputeMachinesTable>): MachineTargetRecord {
  return {
    name: r.name,
    kind: r.kind as MachineTargetRecord['kind'],
    settings: JSON.parse(r.settings_json) as unknown,
    profile: r.profile,
    version: r.version,
  };
}

const placementRow = (p: AgentPlacement) => ({
  target: p.target,
  kind: p.kind,
  machine_id: p.machineId,
  detail: p.detail,
  zone: p.zone,
  price_per_hour: p.pricePerHour,
});

/**
 * Agent tokens, run placements, checkpoints and machine-starting targets. Every race between
 * servers is settled by the database: one row per key, conditional updates, one transaction
 * for the exchange; nothing is read, changed in memory and written back.
 */
export class KyselyAgentStore implements AgentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async place(tokenId: string, p: AgentPlacement): Promise<void> {
    const row = placementRow(p);
    await this.db
      .insertInto('agent_tokens')
      .values({
        token_id: tokenId,
        ...row,
        via: null,
        bootstrap_until: null,
        bootstrap_revoked: 0,
        exchanged_to: null,
        created_at: now(),
      })
      .onConflict((oc) => oc.column('token_id').doUpdateSet(row))
      .execute();
  }

  async placementOf(tokenId: string): Promise<AgentPlacement | null> {
    const r = await this.db
      .selectFrom('agent_tokens')
      .selectAll()
      .where('token_id', '=', tokenId)
      .executeTakeFirst();
    if (!r) return null;
    if (r.via === null) return toPlacement(r);
    // The launch keeps writing the bootstrap token's record (the VM is tagged with it).
    const via = await this.db
      .selectFrom('agent_tokens')
      .selectAll()
      .where('token_id', '=', r.via)
      .executeTakeFirst();
    return toPlacement(via ?? r);
  }

  async openBootstrap(tokenId: string, p: AgentPlacement, until: string): Promise<void> {
    await this.db
      .insertInto('agent_tokens')
      .values({
        token_id: tokenId,
        ...placementRow(p),
        via: null,
        bootstrap_until: until,
        bootstrap_revoked: 0,
        exchanged_to: null,
        created_at: now(),
      })
      .execute();
  }

  async bootstrap(tokenId: string): Promise<BootstrapRecord | null> {
    const r = await this.db
      .selectFrom('agent_tokens')
      .selectAll()
      .where('token_id', '=', tokenId)
      .where('bootstrap_until', 'is not', null)
      .executeTakeFirst();
    return r ? toBootstrap(r) : null;
  }

  async openBootstraps(): Promise<BootstrapRecord[]> {
    const rows = await this.db
      .selectFrom('agent_tokens')
      .selectAll()
      .where('bootstrap_until', 'is not', null)
      .where('bootstrap_revoked', '=', 0)
      .orderBy('created_at')
      .execute();
    return rows.map(toBootstrap);
  }

  async exchange(bootstrapId: string, agentTokenId: string): Promise<ExchangeOutcome> {
    return this.db.transaction().execute(async (tx) => {
      // The row lock this update takes orders it against a concurrent revokeBootstrap.
      const r = await tx
        .updateTable('agent_tokens')
        .set({ exchanged_to: agentTokenId })
        .where('token_id', '=', bootstrapId)
        .where('bootstrap_until', 'is not', null)
        .where('bootstrap_revoked', '=', 0)
        .where('exchanged_to', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) {
        const have = await tx
          .selectFrom('agent_tokens')
          .select('token_id')
          .where('token_id', '=', bootstrapId)
          .where('bootstrap_until', 'is not', null)
          .executeTakeFirst();
        return have ? 'refused' : 'unknown';
      }
      const base = await tx
        .selectFrom('agent_tokens')
        .selectAll()
        .where('token_id', '=', bootstrapId)
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('agent_tokens')
        .values({
          ...base,
          token_id: agentTokenId,
          via: bootstrapId,
          bootstrap_until: null,
          bootstrap_revoked: 0,
          exchanged_to: null,
          created_at: now(),
        })
        .execute();
      return 'exchanged';
    });
  }

  async revokeBootstrap(tokenId: string): Promise<{ exchangedTo: string | null } | null> {
    const r = await this.db
      .updateTable('agent_tokens')
      .set({ bootstrap_revoked: 1 })
      .where('token_id', '=', tokenId)
      .where('bootstrap_until', 'is not', null)
      .returning('exchanged_to')
      .executeTakeFirst();
    return r ? { exchangedTo: r.exchanged_to } : null;
  }

  async putRunPlacement(p: RunPlacementRecord): Promise<void> {
    const row = { token_id: p.tokenId, hostname: p.hostname, started_at: p.startedAt };
    await this.db
      .insertInto('run_placements')
      .values({ experiment_id: p.experimentId, ...row })
      .onConflict((oc) => oc.column('experiment_id').doUpdateSet(row))
      .execute();
  }

  async runPlacement(experimentId: string): Promise<RunPlacementRecord | null> {
    const r = await this.db
      .selectFrom('run_placements')
      .selectAll()
      .where('experiment_id', '=', experimentId)
      .executeTakeFirst();
    return r
      ? { experimentId: r.experiment_id, tokenId: r.token_id, hostname: r.hostname, startedAt: r.started_at }
      : null;
  }

  async putCheckpoint(experimentId: string, sha: string): Promise<void> {
    const row = { sha, updated_at: now() };
    await this.db
      .insertInto('run_checkpoints')
      .values({ experiment_id: experimentId, ...row })
      .onConflict((oc) => oc.column('experiment_id').doUpdateSet(row))
      .execute();
  }

  async checkpoint(experimentId: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('run_checkpoints')
      .select('sha')
      .where('experiment_id', '=', experimentId)
      .executeTakeFirst();
    return r?.sha ?? null;
  }

  async launchAttempts(target: string): Promise<LaunchAttemptRecord | null> {
    const r = await this.db
      .selectFrom('launch_attempts')
      .selectAll()
      .where('target', '=', target)
      .executeTakeFirst();
    return r ? toLaunch(r) : null;
  }

  async allLaunchAttempts(): Promise<LaunchAttemptRecord[]> {
    const rows = await this.db.selectFrom('launch_attempts').selectAll().orderBy('target').execute();
    return rows.map(toLaunch);
  }

  async putLaunchAttempts(r: LaunchAttemptRecord): Promise<void> {
    const row = { attempts: r.attempts, first_at: r.firstAt, next_at: r.nextAt, last_error: r.lastError };
    await this.db
      .insertInto('launch_attempts')
      .values({ target: r.target, ...row })
      .onConflict((oc) => oc.column('target').doUpdateSet(row))
      .execute();
  }

  async clearLaunchAttempts(target: string): Promise<void> {
    await this.db.deleteFrom('launch_attempts').where('target', '=', target).execute();
  }

  async rememberMachineTarget(m: Omit<MachineTargetRecord, 'version'>): Promise<MachineTargetRecord> {
    const row = {
      kind: m.kind,
      settings_json: JSON.stringify(m.settings ?? null),
      profile: m.profile,
      version: randomUUID(),
    };
    await this.db
      .insertInto('compute_machines')
      .values({ name: m.name, ...row })
      .onConflict((oc) => oc.column('name').doUpdateSet(row))
      .execute();
    return { ...m, version: row.version };
  }

  async machineTargets(): Promise<MachineTargetRecord[]> {
    const rows = await this.db.selectFrom('compute_machines').selectAll().orderBy('name').execute();
    return rows.map(toMachine);
  }

  async forgetMachineTarget(name: string, version: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('compute_machines')
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async prune(): Promise<number> {
    const checkpoints = await this.db
      .deleteFrom('run_checkpoints')
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('experiments')
            .select('experiments.id')
            .whereRef('experiments.id', '=', 'run_checkpoints.experiment_id')
            .where('experiments.status', 'in', [...FINISHED]),
        ),
      )
      .executeTakeFirst();
    // A token is dead when revoked or deleted; a record is kept while a run placement names its
    // token or the token it was exchanged for (the row shows where that run ran).
    const live = (col: 'agent_tokens.token_id' | 'agent_tokens.exchanged_to') =>
      sql<boolean>`exists (select 1 from tokens where tokens.id = ${sql.ref(col)} and tokens.revoked_at is null)`;
    const tokens = await this.db
      .deleteFrom('agent_tokens')
      .where((eb) =>
        eb.and([
          eb.not(live('agent_tokens.token_id')),
          eb.or([eb('agent_tokens.exchanged_to', 'is', null), eb.not(live('agent_tokens.exchanged_to'))]),
          eb.not(
            sql<boolean>`exists (select 1 from run_placements where run_placements.token_id = agent_tokens.token_id or run_placements.token_id = agent_tokens.exchanged_to)`,
          ),
        ]),
      )
      .executeTakeFirst();
    return Number(checkpoints.numDeletedRows) + Number(tokens.numDeletedRows);
  }
}
