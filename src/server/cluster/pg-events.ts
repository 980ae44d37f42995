import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ServerEvent } from '../../contracts/events.js';
import type { EventBus, EventRelay } from '../event-bus.js';
import type { PgLink } from './pg-link.js';

/** NOTIFY payloads are at most 8000 bytes; a bigger event's payload names its row only. */
const INLINE_MAX = 7700;
/** Events waiting while PostgreSQL is away; older ones are dropped beyond this. */
const QUEUE_MAX = 10_000;
/** How long an event's row is kept: a server whose session was away for less catches up. */
const KEEP_MS = 5 * 60_000;
/**
 * A reconnected server reads again the rows stamped this long before the last event it got:
 * another server's event may have been stamped earlier and committed or notified later.
 */
const CATCH_UP_MARGIN_MS = 5_000;
/** Ids of events delivered lately, so an event both replayed and notified is delivered once. */
const SEEN_MAX = 50_000;
/** The database's clock in ms: every server stamps with the same clock. */
const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

interface Row {
  id: string;
  body: string;
  at: string | number;
}

/**
 * This server's events go to every other server through PostgreSQL on one channel per schema.
 * Every event is a row of `cluster_events` (id `<origin>.<counter>`, stamped by the database's
 * clock) and a NOTIFY: `<origin> i <id> <at> <event JSON>` for a small event, `<origin> r <id> <at>`
 * for one bigger than a payload, whose row the servers read; a server skips its own. NOTIFY
 * reaches only the sessions listening at the time, so a server whose session was lost reads, once
 * it listens again, the rows it missed, and delivers each event once. Events are sent and
 * delivered in publishing order: one session sends them, one chain reads them.
 */
export class PgEventRelay implements EventRelay {
  private readonly origin = randomUUID();
  private counter = 0;
  private queue: Array<{ id: string; json: string }> = [];
  private flushing = false;
  private stopped = false;
  private dropped = 0;
  private lastPrune = 0;
  private reading: Promise<void> = Promise.resolve();
  /** The stamp of the last event delivered (or of the first connection): where a catch-up starts. */
  private lastAt: number | null = null;
  private readonly seen = new Set<string>();
  /** Events delivered by catching up after the cluster session came back (for logs and tests). */
  replayed = 0;

  constructor(
    private readonly link: PgLink,
    private readonly bus: EventBus,
    private readonly log: (line: string) => void,
  ) {
    link.onConnect((c) => this.listen(c));
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
    this.queue.push({ id: `${this.origin}.${(this.counter++).toString(36).padStart(10, '0')}`, json });
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flush());
    }
  }

  private channel(): string {
    return `kiln.events.${this.link.schema}`.slice(0, 63);
  }

  /**
   * On every connection: LISTEN, then (after the first) the events other servers stored since
   * the last one this server got, delivered before any notification that arrives meanwhile.
   */
  private async listen(c: pg.Client): Promise<void> {
    const since = this.lastAt;
    let release: (rows: Row[]) => void = () => undefined;
    if (since !== null) {
      const rows = new Promise<Row[]>((r) => (release = r));
      this.reading = this.reading.then(async () => {
        const missed = await rows;
        const before = this.replayed;
        for (const r of missed) if (this.deliver(r.id, Number(r.at), r.body)) this.replayed++;
        if (this.replayed > before)
          this.log(`Cluster events: ${this.replayed - before} missed while away delivered.`);
      });
    }
    try {
      await c.query(`listen ${quoteIdent(this.channel())}`);
      if (since === null) {
        const now = await c.query<{ now: string }>(`select ${DB_NOW} as now`);
        this.lastAt ??= Number(now.rows[0]?.now ?? 0);
        return;
      }
      const missed = await c.query<Row>(
        `select id, body, at from cluster_events where at >= $1 and id not like $2 order by at, id`,
        [since - CATCH_UP_MARGIN_MS, `${this.origin}.%`],
      );
      release(missed.rows);
    } finally {
      release([]);
    }
  }

  private async flush(): Promise<void> {
    while (this.queue.length && !this.stopped) {
      try {
        const batch = this.queue.slice(0, 200);
        // Stored first, so a server that is not listening now reads them when it is again.
        const stored = await this.link.query<{ at: string }>(
          `insert into cluster_events (id, body, at)
             select u.id, u.body, (select ${DB_NOW}) from unnest($1::text[], $2::text[]) as u(id, body)
           on conflict (id) do update set at = excluded.at
           returning at`,
          [batch.map((b) => b.id), batch.map((b) => b.json)],
        );
        const at = stored.rows[0]?.at ?? '0';
        const payloads = batch.map(({ id, json }) =>
          Buffer.byteLength(json) <= INLINE_MAX
            ? `${this.origin} i ${id} ${at} ${json}`
            : `${this.origin} r ${id} ${at}`,
        );
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
    await this.link.query(`delete from cluster_events where at < ${DB_NOW} - $1`, [KEEP_MS]);
  }

  /** Delivers an event unless it was already; false when it was. */
  private deliver(id: string, at: number, json: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > SEEN_MAX) for (const old of this.seen) if (this.seen.delete(old)) break;
    if (Number.isFinite(at)) this.lastAt = Math.max(this.lastAt ?? at, at);
    try {
      // Written by a server of this cluster: parsed, not validated again.
      this.bus.receive(JSON.parse(json) as ServerEvent, json);
    } catch {
      // A malformed event is skipped; the next ones still come.
    }
    return true;
  }

  private received(payload: string): void {
    // `<origin> <kind> <id> <at> [json]`
    const [origin, kind, id, at] = payload.split(' ', 4);
    if (!origin || origin === this.origin || !kind || !id || !at) return;
    const offset = origin.length + kind.length + id.length + at.length + 4;
    // A spilled event is read before the ones after it are delivered: the order stays.
    this.reading = this.reading.then(async () => {
      if (this.seen.has(id)) return;
      try {
        const json =
          kind === 'i'
            ? payload.slice(offset)
            : (await this.link.query<{ body: string }>('select body from cluster_events where id = $1', [id]))
                .rows[0]?.body;
        if (json) this.deliver(id, Number(at), json);
      } catch {
        // A vanished event is skipped; the next ones still come.
      }
    });
  }
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
