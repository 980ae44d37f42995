import type { PlotRow, LiveUpdate } from '../../contracts/live.js';
import type { EventBus } from '../event-bus.js';

type LiveState = Omit<LiveUpdate, 'plots' | 'images'>;

/** One ingested event, as the fan-out needs it. */
export interface LiveChange {
  id: string;
  /**
   * The experiment's state after the event, built only when an update is published: most events
   * of a busy experiment are merged into the next update and never need their own row. A Kiln
   * run's row is read from the store, hence the promise.
   */
  state: () => LiveState | Promise<LiveState>;
  plots: Record<string, PlotRow[]>;
  images: readonly string[];
}

interface Pending {
  state: LiveChange['state'];
  plots: Record<string, PlotRow[]>;
  images: Set<string>;
  timer: NodeJS.Timeout | null;
  last: number;
  /** An update whose state is still being read: later ones wait for it, so browsers get them in order. */
  sending: Promise<void> | null;
}

/**
 * Publishes `live.update` per experiment at most once per `intervalMs`: the first update after a
 * quiet spell goes out at once (low latency), later ones within the interval are merged — the
 * latest state plus every plot row since the last publish — and sent when it ends.
 */
export class LiveFanout {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly bus: EventBus,
    private readonly intervalMs = 250,
  ) {}

  push(c: LiveChange): void {
    const now = Date.now();
    const p = this.pending.get(c.id);
    if (!p) {
      const fresh: Pending = {
        state: c.state,
        plots: {},
        images: new Set(),
        timer: null,
        last: now,
        sending: null,
      };
      this.pending.set(c.id, fresh);
      this.send(fresh, c.state, c.plots, [...c.images]);
      return;
    }
    p.state = c.state;
    for (const [path, rows] of Object.entries(c.plots)) {
      const into = (p.plots[path] ??= []);
      for (const r of rows) into.push(r);
    }
    for (const i of c.images) p.images.add(i);
    if (p.timer) return;
    const wait = p.last + this.intervalMs - now;
    if (wait <= 0) {
      this.flush(c.id);
      return;
    }
    p.timer = setTimeout(() => this.flush(c.id), wait);
    p.timer.unref();
  }

  close(): void {
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    this.pending.clear();
  }

  private flush(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    p.timer = null;
    p.last = Date.now();
    this.send(p, p.state, p.plots, [...p.images]);
    p.plots = {};
    p.images = new Set();
    if (this.pending.size > 5_000) this.pending.delete(id);
  }

  private send(p: Pending, state: LiveChange['state'], plots: LiveUpdate['plots'], images: string[]): void {
    const publish = (s: LiveState) => this.bus.publish({ type: 'live.update', ...s, plots, images });
    if (p.sending === null) {
      // A state at hand goes out now: the usual case, and the lowest latency.
      const now = state();
      if (!(now instanceof Promise)) return publish(now);
      p.sending = now.then(publish, () => undefined);
    } else {
      p.sending = p.sending.then(async () => publish(await state())).catch(() => undefined);
    }
    const mine = p.sending;
    void mine.then(() => {
      if (p.sending === mine) p.sending = null;
    });
  }
}
