import type { ServerEvent } from '../contracts/events.js';

/**
 * Receives each event, and `frame()`: the event as one SSE `data:` frame, serialized once per
 * event; `remote` when another server of the cluster published it.
 */
type Listener = (e: ServerEvent, frame: () => string, remote: boolean) => void;

/** Carries this server's events to the other servers of a cluster (PostgreSQL's NOTIFY). */
export interface EventRelay {
  /** `json` is the event serialized; called in publishing order. */
  send(e: ServerEvent, json: string): void;
}

/**
 * Events a server publishes only to its own browsers: a fetch's progress is about this server's
 * own mirror, which every server fetches on its own.
 */
const LOCAL_ONLY = new Set<ServerEvent['type']>(['project.fetch']);

/**
 * Fan-out of server events to SSE connections: in-process, and with a relay (several servers on
 * one PostgreSQL) to every other server's connections too.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private relay: EventRelay | null = null;

  /** From now on this server's events also go to the other servers. */
  connect(relay: EventRelay | null): void {
    this.relay = relay;
  }

  publish(e: ServerEvent): void {
    // Every browser gets the same bytes: serialize once, not once per connection.
    let json: string | null = null;
    const text = () => (json ??= JSON.stringify(e));
    this.deliver(e, text, false);
    if (this.relay && !LOCAL_ONLY.has(e.type)) this.relay.send(e, text());
  }

  /** An event another server published (its JSON as sent): delivered to this server's listeners. */
  receive(e: ServerEvent, json: string): void {
    this.deliver(e, () => json, true);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private deliver(e: ServerEvent, json: () => string, remote: boolean): void {
    let frame: string | null = null;
    const f = () => (frame ??= `data: ${json()}\n\n`);
    for (const l of this.listeners) l(e, f, remote);
  }
}
