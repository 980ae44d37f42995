import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Rows of migration 014. */
export interface SignInFailuresTable {
  id: string;
  key: string;
  /** ISO time of the failure. */
  at: string;
}
type SignInDatabase = Database & { signin_failures: SignInFailuresTable };

/** Failed sign-ins by key (account + address), shared by every server on the Store. */
export interface SignInFailureStore {
  /** Records a failure at `at`; forgets this key's failures before `since`; returns the times since, oldest first. */
  fail(key: string, at: string, since: string): Promise<string[]>;
  /** The key's failures at or after `since`, oldest first. */
  since(key: string, since: string): Promise<string[]>;
  clear(key: string): Promise<void>;
}

export class KyselySignInFailureStore implements SignInFailureStore {
  private readonly db: Kysely<SignInDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Kysely<SignInDatabase>;
  }

  async fail(key: string, at: string, since: string): Promise<string[]> {
    await this.db.insertInto('signin_failures').values({ id: crypto.randomUUID(), key, at }).execute();
    // Old failures of every key go, so the table holds one window's worth.
    await this.db.deleteFrom('signin_failures').where('at', '<', since).execute();
    return this.since(key, since);
  }

  async since(key: string, since: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('signin_failures')
      .select('at')
      .where('key', '=', key)
      .where('at', '>=', since)
      .orderBy('at')
      .execute();
    return rows.map((r) => r.at);
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('signin_failures').where('key', '=', key).execute();
  }
}
