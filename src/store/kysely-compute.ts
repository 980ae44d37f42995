import type { Kysely, Selectable } from 'kysely';
import type { ComputeInstancesTable, Database } from './schema.js';
import type { ComputeInstanceRecord, ComputeProfileRecord, ComputeStore, CredentialRecord } from './port.js';

function toInstance(r: Selectable<ComputeInstancesTable>): ComputeInstanceRecord {
  const state = r.state === 'launching' || r.state === 'running' ? r.state : 'ended';
  return {
    id: r.id,
    profile: r.profile,
    kind: r.kind,
    nativeId: r.native_id,
    zone: r.zone,
    experimentId: r.experiment_id,
    state,
    detailJson: r.detail_json,
    createdAt: r.created_at,
    endedAt: r.ended_at,
  };
}

function instanceRow(p: Partial<ComputeInstanceRecord>): Partial<Selectable<ComputeInstancesTable>> {
  const out: Partial<Selectable<ComputeInstancesTable>> = {};
  if (p.profile !== undefined) out.profile = p.profile;
  if (p.kind !== undefined) out.kind = p.kind;
  if (p.nativeId !== undefined) out.native_id = p.nativeId;
  if (p.zone !== undefined) out.zone = p.zone;
  if (p.experimentId !== undefined) out.experiment_id = p.experimentId;
  if (p.state !== undefined) out.state = p.state;
  if (p.detailJson !== undefined) out.detail_json = p.detailJson;
  if (p.createdAt !== undefined) out.created_at = p.createdAt;
  if (p.endedAt !== undefined) out.ended_at = p.endedAt;
  return out;
}

/** Compute credentials, profiles and the instance ledger, in Kysely for both databases. */
export class KyselyComputeStore implements ComputeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async putCredential(c: CredentialRecord): Promise<void> {
    const row = {
      name: c.name,
      kind: c.kind,
      secret_enc: c.secretEnc,
      summary: c.summary,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    };
    await this.db
      .insertInto('compute_credentials')
      .values(row)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          kind: row.kind,
          secret_enc: row.secret_enc,
          summary: row.summary,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  async getCredential(name: string): Promise<CredentialRecord | null> {
    const r = await this.db
      .selectFrom('compute_credentials')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return r ? toCredential(r) : null;
  }

  async listCredentials(): Promise<CredentialRecord[]> {
    const rows = await this.db.selectFrom('compute_credentials').selectAll().orderBy('name').execute();
    return rows.map(toCredential);
  }

  async deleteCredential(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('compute_credentials').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async createProfile(p: ComputeProfileRecord): Promise<boolean> {
    const r = await this.db
      .insertInto('compute_profiles')
      .values({ name: p.name, kind: p.kind, settings_json: p.settingsJson, created_at: p.createdAt })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async getProfile(name: string): Promise<ComputeProfileRecord | null> {
    const r = await this.db
      .selectFrom('compute_profiles')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return r ? { name: r.name, kind: r.kind, settingsJson: r.settings_json, createdAt: r.created_at } : null;
  }

  async listProfiles(): Promise<ComputeProfileRecord[]> {
    const rows = await this.db.selectFrom('compute_profiles').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      kind: r.kind,
      settingsJson: r.settings_json,
      createdAt: r.created_at,
    }));
  }

  async deleteProfile(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('compute_profiles').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async putInstance(i: ComputeInstanceRecord): Promise<void> {
    await this.db
      .insertInto('compute_instances')
      .values({
        id: i.id,
        profile: i.profile,
        kind: i.kind,
        native_id: i.nativeId,
        zone: i.zone,
        experiment_id: i.experimentId,
        state: i.state,
        detail_json: i.detailJson,
        created_at: i.createdAt,
        ended_at: i.endedAt,
      })
      .execute();
  }

  async updateInstance(id: string, patch: Partial<Omit<ComputeInstanceRecord, 'id'>>): Promise<void> {
    const row = instanceRow(patch);
    if (Object.keys(row).length === 0) return;
    await this.db.updateTable('compute_instances').set(row).where('id', '=', id).execute();
  }

  async openInstances(profile?: string): Promise<ComputeInstanceRecord[]> {
    let q = this.db.selectFrom('compute_instances').selectAll().where('state', '!=', 'ended');
    if (profile !== undefined) q = q.where('profile', '=', profile);
    return (await q.orderBy('created_at').execute()).map(toInstance);
  }

  async instancesFor(experimentId: string): Promise<ComputeInstanceRecord[]> {
    const rows = await this.db
      .selectFrom('compute_instances')
      .selectAll()
      .where('experiment_id', '=', experimentId)
      .orderBy('created_at')
      .execute();
    return rows.map(toInstance);
  }
}

function toCredential(r: {
  name: string;
  kind: string;
  secret_enc: string;
  summary: string;
  created_at: string;
  updated_at: string;
}): CredentialRecord {
  return {
    name: r.name,
    kind: r.kind,
    secretEnc: r.secret_enc,
    summary: r.summary,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
