import { randomUUID } from 'node:crypto';
import type { ServerEvent } from '../../contracts/events.js';
import type { EventBus, EventRelay } from '../event-bus.js';
import type { PgLink } from './pg-link.js';

/** NOTIFY payloads are at most 8000 bytes; bigger events are kept in `cluster_events`. */
const INLINE_MAX = 7800;
/** Events waiting while PostgreSQL is away; older ones are dropped beyond this. */
const QUEUE_MAX = 10_000;
/** How long a spilled event's row is kept for the servers to read. */
const KEEP_MS = 5 * 60_000;

/**
 * This server's events go to every other server through PostgreSQL's LISTEN/NOTIFY on one
 * channel per schema. A payload is `<origin> i <event JSON>` for a small event, or
 * `<origin> r <row id>` for one kept in `cluster_events`; a server skips its own. Events are sent
 * and delivered in publishing order: one session sends them, one chain reads them.
 */
export class PgEventRelay implements EventRelay {
  private readonly origin = randomUUID();
  private queue: string[] = [];
  private flushing = false;
  private stopped = false;
  private dropped = 0;
  private lastPrune = 0;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly link: PgLink,
    private readonly bus: EventBus,
    private readonly log: (line: string) => void,
  ) {
    link.onConnect(async (c) => {
      await c.query(`listen ${quoteIdent(this.channel())}`);
    });
    link.onNotification((m) => {
      if (m.channel !== this.channel() || !m.payload) return;
      this.received(m.payload);
    });
  }

  send(_e: ServerEvent, json: string): void {
    if (this.queue.length >= QUEUE_MAX) {
      this.queue.shift();
      if (this.dropped++ === 0)
        this.log('Cluster events are waiting for PostgreSQL; the oldest are dropped.');
    }
    this.queue.push(json);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flush());
    }
  }

  private channel(): string {
    return `kiln.events.${this.link.schema}`.slice(0, 63);
  }

  private async flush(): Promise<void> {
    while (this.queue.length && !this.stopped) {
      try {
        const batch = this.queue.slice(0, 200);
        const payloads: string[] = [];
        for (const json of batch) {
          if (Buffer.byteLength(json) <= INLINE_MAX) payloads.push(`${this.origin} i ${json}`);
          else {
            const id = randomUUID();
            await this.link.query('insert into cluster_events (id, body, at) values ($1, $2, $3)', [
              id,
              json,
              Date.now(),
            ]);
            payloads.push(`${this.origin} r ${id}`);
          }
        }
        // One statement: its notifications are delivered together, in this order.
        const calls = payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ');
        await this.link.query(`select ${calls}`, [this.channel(), ...payloads]);
        this.queue.splice(0, batch.length);
        if (this.dropped) {
          this.log(`Cluster events flow again (${this.dropped} dropped while PostgreSQL was away).`);
          this.dropped = 0;
        }
        await this.prune();
      } catch (err) {
        // The link connects again; the batch is sent then.
        if (this.stopped) break;
        this.log(`Could not send cluster events: ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    this.flushing = false;
  }

  /** Sends what is queued (up to `ms`), then nothing more. */
  async stop(ms = 1000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.queue.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    this.stopped = true;
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.link.query('delete from cluster_events where at < $1', [Date.now() - KEEP_MS]);
  }

  private received(payload: string): void {
    const sp1 = payload.indexOf(' ');
    if (sp1 < 0 || payload.slice(0, sp1) === this.origin) return;
    const kind = payload.slice(sp1 + 1, sp1 + 2);
    const data = payload.slice(sp1 + 3);
    // A spilled event is read before the ones after it are delivered: the order stays.
    this.reading = this.reading.then(async () => {
      try {
        const json =
          kind === 'i'
            ? data
            : (
                await this.link.query<{ body: string }>('select body from cluster_events where id = $1', [
                  data,
                ])
              ).rows[0]?.body;
        if (!json) return;
        // Written by a server of this cluster: parsed, not validated again.
        this.bus.receive(JSON.parse(json) as ServerEvent, json);
      } catch {
        // A malformed or vanished event is skipped; the next ones still come.
      }
    });
  }
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
