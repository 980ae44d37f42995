import path from 'node:path';
import { mkdirSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrations.js';
import { KyselyStore } from './kysely-store.js';
import type { Store } from './port.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import { BusyRetryingSqliteDialect } from './sqlite-busy.js';

export type StoreConfig =
  { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };

/**
 * Kysely's SQLite driver prepares every statement it runs; preparing costs more than running a
 * small query. Statements are kept by their SQL text (Kysely binds values as parameters, so the
 * texts are few) and reused; Kysely never iterates a statement while it runs another.
 */
function cachingStatements(sqlite: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          if (cache.size >= 1000) cache.clear();
          stmt = prepare(sql);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}

/** Opens the configured database and brings its schema up to date. Chosen once at startup. */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === 'sqlite') {
    mkdirSync(path.dirname(config.file), { recursive: true });
    const sqlite = new BetterSqlite3(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // Waits inside a call block the event loop: longer waits happen between tries (sqlite-busy).
    sqlite.pragma('busy_timeout = 20');
    // checkpoints run in a thread of their own (wal-checkpointer), never inside a request's commit
    const inFile = config.file !== ':memory:';
    if (inFile) sqlite.pragma('wal_autocheckpoint = 0');
    const db = new Kysely<Database>({
      dialect: new BusyRetryingSqliteDialect({ database: cachingStatements(sqlite) }),
    });
    await migrateToLatest(db as Kysely<unknown>);
    const checkpointer = inFile ? startWalCheckpointer(config.file) : null;
    const store = new KyselyStore(db, 'sqlite', async () => checkpointer?.close());
    store.live.useSqliteHandle(sqlite);
    return store;
  }
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: config.url,
        max: 10,
        ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
      }),
    }),
  });
  await migrateToLatest(db as Kysely<unknown>, config.schema);
  return new KyselyStore(db, 'postgres');
}
