import type { Kysely, Selectable } from 'kysely';
import type { Database, DeviceCodesTable } from './schema.js';

/** A device login under way: the client holds the device code (stored hashed), a person types the user code. */
export interface DeviceCodeRecord {
  deviceCodeHash: string;
  userCode: string;
  clientName: string;
  tokenName: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  deniedAt: string | null;
  lastPollAt: string | null;
}

export interface DeviceCodeStore {
  create(r: Omit<DeviceCodeRecord, 'approvedBy' | 'approvedAt' | 'deniedAt' | 'lastPollAt'>): Promise<void>;
  byUserCode(userCode: string): Promise<DeviceCodeRecord | null>;
  /** Marks a poll at `at`; returns the record as it was before (its previous poll time), or null. */
  poll(deviceCodeHash: string, at: string): Promise<DeviceCodeRecord | null>;
  /** Approves a pending, unexpired code; false when there is none. */
  approve(userCode: string, userId: string, at: string): Promise<boolean>;
  /** Denies a pending, unexpired code; false when there is none. */
  deny(userCode: string, at: string): Promise<boolean>;
  /** Deletes an approved code and returns it, exactly once (two polls cannot both get a token). */
  takeApproved(deviceCodeHash: string): Promise<DeviceCodeRecord | null>;
  remove(deviceCodeHash: string): Promise<void>;
  /** Deletes codes that expired before `at`; returns how many. */
  sweep(at: string): Promise<number>;
}

function toRecord(r: Selectable<DeviceCodesTable>): DeviceCodeRecord {
  return {
    deviceCodeHash: r.device_code_hash,
    userCode: r.user_code,
    clientName: r.client_name,
    tokenName: r.token_name,
    scopes: JSON.parse(r.scopes_json) as string[],
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    deniedAt: r.denied_at,
    lastPollAt: r.last_poll_at,
  };
}

export class KyselyDeviceCodeStore implements DeviceCodeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(r: Omit<DeviceCodeRecord, 'approvedBy' | 'approvedAt' | 'deniedAt' | 'lastPollAt'>) {
    await this.db
      .insertInto('device_codes')
      .values({
        device_code_hash: r.deviceCodeHash,
        user_code: r.userCode,
        client_name: r.clientName,
        token_name: r.tokenName,
        scopes_json: JSON.stringify(r.scopes),
        created_at: r.createdAt,
        expires_at: r.expiresAt,
        approved_by: null,
        approved_at: null,
        denied_at: null,
        consumed_at: null,
        last_poll_at: null,
      })
      .execute();
  }

  async byUserCode(userCode: string): Promise<DeviceCodeRecord | null> {
    const r = await this.db
      .selectFrom('device_codes')
      .selectAll()
      .where('user_code', '=', userCode)
      .executeTakeFirst();
    return r ? toRecord(r) : null;
  }

  async poll(deviceCodeHash: string, at: string): Promise<DeviceCodeRecord | null> {
    const r = await this.db
      .selectFrom('device_codes')
      .selectAll()
      .where('device_code_hash', '=', deviceCodeHash)
      .executeTakeFirst();
    if (!r) return null;
    await this.db
      .updateTable('device_codes')
      .set({ last_poll_at: at })
      .where('device_code_hash', '=', deviceCodeHash)
      .execute();
    return toRecord(r);
  }

  private pending(userCode: string, at: string) {
    return this.db
      .updateTable('device_codes')
      .where('user_code', '=', userCode)
      .where('approved_at', 'is', null)
      .where('denied_at', 'is', null)
      .where('expires_at', '>', at);
  }

  async approve(userCode: string, userId: string, at: string): Promise<boolean> {
    const r = await this.pending(userCode, at)
      .set({ approved_by: userId, approved_at: at })
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deny(userCode: string, at: string): Promise<boolean> {
    const r = await this.pending(userCode, at).set({ denied_at: at }).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async takeApproved(deviceCodeHash: string): Promise<DeviceCodeRecord | null> {
    const r = await this.db
      .deleteFrom('device_codes')
      .where('device_code_hash', '=', deviceCodeHash)
      .where('approved_at', 'is not', null)
      .returningAll()
      .executeTakeFirst();
    return r ? toRecord(r) : null;
  }

  async remove(deviceCodeHash: string): Promise<void> {
    await this.db.deleteFrom('device_codes').where('device_code_hash', '=', deviceCodeHash).execute();
  }

  async sweep(at: string): Promise<number> {
    const r = await this.db.deleteFrom('device_codes').where('expires_at', '<=', at).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
