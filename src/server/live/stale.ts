import type { Store } from '../../store/port.js';
import type { EventBus } from '../event-bus.js';
import type { LiveService } from './live-service.js';

/**
 * The live protocol has no crash signal: this notices experiments whose events stopped and tells
 * browsers once (`live.update` with status `stale`, then `table.changed`).
 */
export class StaleSweeper {
  private timer: NodeJS.Timeout | null = null;
  private readonly announced = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly live: LiveService,
    /** One server of a cluster tells browsers (all servers', through the bus). */
    private readonly leader: () => boolean = () => true,
  ) {}

  start(): void {
    const every = Math.max(50, Math.min(30_000, this.live.options.staleAfterMs / 2));
    this.timer = setInterval(() => void (this.leader() ? this.sweep() : null)?.catch(() => undefined), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async sweep(): Promise<void> {
    for (const p of await this.store.listProjects()) {
      let changed = false;
      for (const x of await this.live.list(p.name)) {
        if (x.status !== 'stale') {
          this.announced.delete(x.id);
          continue;
        }
        if (this.announced.has(x.id)) continue;
        this.announced.add(x.id);
        changed = true;
        const { id, name, baseline, status, step, row } = x;
        this.bus.publish({
          type: 'live.update',
          project: p.name,
          id,
          name,
          baseline,
          status,
          step,
          row,
          plots: {},
          images: [],
        });
      }
      if (changed) this.bus.publish({ type: 'table.changed', project: p.name });
    }
  }
}
