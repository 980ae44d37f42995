import type { ServerEvent } from '../contracts/events.js';

type Listener = (e: ServerEvent) => void;

/** In-process fan-out of server events to SSE connections. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  publish(e: ServerEvent): void {
    for (const l of this.listeners) l(e);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
