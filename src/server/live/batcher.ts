import type { LiveSave, Store } from '../../store/port.js';

interface Waiting {
  item: LiveSave;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: saves that arrive while a transaction runs are written together in the next one,
 * so 50 concurrent writers cost a few transactions instead of 50. Each caller's promise resolves
 * only once its own points are committed, so a 200 always means stored.
 */
export class SaveBatcher {
  private queue: Waiting[] = [];
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 1000,
  ) {}

  save(item: LiveSave): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
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
