import type { PlotRow, LiveUpdate } from '../../contracts/live.js';
import type { EventBus } from '../event-bus.js';

interface Pending {
  update: LiveUpdate;
  timer: NodeJS.Timeout | null;
  last: number;
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

  push(u: LiveUpdate): void {
    const now = Date.now();
    const p = this.pending.get(u.id);
    if (!p) {
      this.pending.set(u.id, { update: u, timer: null, last: now });
      this.send(u);
      this.pending.set(u.id, { update: emptyOf(u), timer: null, last: now });
      return;
    }
    p.update = combine(p.update, u);
    if (p.timer) return;
    const wait = p.last + this.intervalMs - now;
    if (wait <= 0) {
      this.flush(u.id);
      return;
    }
    p.timer = setTimeout(() => this.flush(u.id), wait);
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
    this.send(p.update);
    p.update = emptyOf(p.update);
    if (this.pending.size > 5_000) this.pending.delete(id);
  }

  private send(u: LiveUpdate): void {
    this.bus.publish({ type: 'live.update', ...u });
  }
}

function emptyOf(u: LiveUpdate): LiveUpdate {
  return { ...u, plots: {}, images: [] };
}

function combine(a: LiveUpdate, b: LiveUpdate): LiveUpdate {
  const plots: Record<string, PlotRow[]> = { ...a.plots };
  for (const [path, rows] of Object.entries(b.plots)) plots[path] = [...(plots[path] ?? []), ...rows];
  return { ...b, plots, images: [...new Set([...a.images, ...b.images])] };
}
