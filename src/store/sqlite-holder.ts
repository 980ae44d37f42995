import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** A second server started on a SQLite data dir another live process serves. */
export class DataDirHeldError extends Error {}

/**
 * Holds a SQLite data dir for this process: an exclusive lock on `<dir>/serve.lock`, kept as
 * long as the process lives (the OS drops it when the process dies, even by SIGKILL). SQLite
 * serves one server; a second one on the same files would split its scheduler, agents and
 * caches from the first's.
 */
export function holdSqliteDataDir(dir: string): { release(): void } {
  const db = new BetterSqlite3(path.join(dir, 'serve.lock'));
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    // A write in an exclusive-mode connection keeps the file's lock until the connection closes.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
    db.exec('BEGIN EXCLUSIVE');
    db.prepare('DELETE FROM holder').run();
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY'))
      throw new DataDirHeldError(
        `another Kiln server is running on the data dir ${dir}: SQLite serves one server only. ` +
          'Stop it first, or run several servers on one PostgreSQL database: give each the same ' +
          'KILN_DATABASE_URL (and KILN_SECRET_KEY).',
      );
    throw err;
  }
  return {
    release: () => {
      if (!db.open) return;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
