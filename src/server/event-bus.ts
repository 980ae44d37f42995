import type { ServerEvent } from '../contracts/events.js';

/** Receives each event, and `frame()`: the event as one SSE `data:` frame, serialized once per event. */
type Listener = (e: ServerEvent, frame: () => string) => void;

/** In-process fan-out of server events to SSE connections. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  publish(e: ServerEvent): void {
    // Every browser gets the same bytes: serialize once, not once per connection.
    let text: string | null = null;
    const frame = () => (text ??= `data: ${JSON.stringify(e)}\n\n`);
    for (const l of this.listeners) l(e, frame);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
