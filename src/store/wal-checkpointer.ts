import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * Runs in its own thread with its own connection: a checkpoint copies the WAL into the database
 * file, which costs disk writes and fsyncs that SQLite would otherwise do inside whichever commit
 * crossed the auto-checkpoint threshold, i.e. inside a request. PASSIVE never waits for, nor
 * blocks, the writers; on close a TRUNCATE leaves the database whole in one file.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {}
  db.close();
  process.exit(0);
});
`;

export interface WalCheckpointer {
  /** A last checkpoint (after the store's own connection closed), then the thread ends. */
  close(): Promise<void>;
}

/**
 * Checkpoints the SQLite WAL of `file` off the request path, every `intervalMs`; the caller turns
 * its connection's auto-checkpoint off.
 */
export function startWalCheckpointer(file: string, intervalMs = 1000): WalCheckpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { module, file, intervalMs } });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  return {
    async close() {
      // held until its last checkpoint ends: an unref'd thread would let Node exit mid-close
      worker.ref();
      worker.postMessage('close');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    },
  };
}
