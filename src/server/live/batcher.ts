import type { LiveSave, Store } from '../../store/port.js';

interface Waiting {
  item: LiveSave;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: saves that arrive in the same I/O turn, or while a transaction runs, are written
 * together in one transaction, so 50 concurrent writers cost a few transactions instead of 50.
 *
 * Each caller's promise resolves only after the transaction holding its points has committed, so
 * a 200 is as durable as any other write of the store: on PostgreSQL the commit is flushed to its
 * WAL; on SQLite (WAL, `synchronous = NORMAL`, set store-wide in open-store) it survives a crash
 * or kill of the server, and only an OS crash or power loss may lose the last commits. A failed
 * transaction rejects every caller in it, so nobody gets a 200 for points that were not written.
 */
export class SaveBatcher {
  private queue: Waiting[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 1000,
  ) {}

  save(item: LiveSave): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running || this.scheduled) return;
      // Wait for the rest of this I/O turn: a synchronous store would otherwise commit one by one.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.store.live.save(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.running = false;
  }
}
