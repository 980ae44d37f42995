import {
  SqliteDialect,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';

/**
 * The database is locked by another program for longer than a request should wait. The server
 * answers 503 with this message; the caller can retry.
 */
export class StoreBusy extends Error {
  constructor() {
    super('the database is busy (another program holds its lock); try again in a moment');
    this.name = 'StoreBusy';
  }
}

/** How long a statement waits, in all, for another program's lock before StoreBusy. */
export const BUSY_BUDGET_MS = 1500;

/** SQLite's "locked by another connection" (better-sqlite3 error codes). */
export const isBusy = (err: unknown): boolean =>
  typeof (err as { code?: unknown }).code === 'string' && /^SQLITE_BUSY/.test((err as { code: string }).code);

/**
 * better-sqlite3 waits for a lock inside the call, i.e. with Node's event loop blocked: with
 * `busy_timeout = 5000` another program's lock froze every request for 5 s at a time. The
 * connection's own busy timeout is kept short and the rest of the wait happens here, between
 * tries, with the event loop free; past {@link BUSY_BUDGET_MS} the statement fails as StoreBusy.
 */
export class BusyRetryingSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const wrap = (c: DatabaseConnection): DatabaseConnection => {
      let w = wrapped.get(c);
      if (!w) {
        w = {
          executeQuery: <R>(q: CompiledQuery) => retrying(() => c.executeQuery<R>(q)),
          streamQuery: <R>(q: CompiledQuery, chunkSize?: number) => c.streamQuery<R>(q, chunkSize),
        };
        wrapped.set(c, w);
      }
      return w;
    };
    return new Proxy(driver, {
      get(target, prop, receiver) {
        if (prop === 'acquireConnection') return async () => wrap(await target.acquireConnection());
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

async function retrying<R>(run: () => Promise<QueryResult<R>>): Promise<QueryResult<R>> {
  const until = Date.now() + BUSY_BUDGET_MS;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      return await run();
    } catch (err) {
      if (!isBusy(err)) throw err;
      if (Date.now() + wait > until) throw new StoreBusy();
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
