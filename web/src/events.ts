import { ServerEvent } from '../../src/contracts/events.js';
import { assertNever } from '../../src/contracts/errors.js';

export interface EventHandlers {
  onFetch?: (e: Extract<ServerEvent, { type: 'project.fetch' }>) => void;
  onTableChanged?: (e: Extract<ServerEvent, { type: 'table.changed' }>) => void;
  onExperimentStatus?: (e: Extract<ServerEvent, { type: 'experiment.status' }>) => void;
  onExperimentLog?: (e: Extract<ServerEvent, { type: 'experiment.log' }>) => void;
  onLiveUpdate?: (e: Extract<ServerEvent, { type: 'live.update' }>) => void;
  onCiStatus?: (e: Extract<ServerEvent, { type: 'ci.status' }>) => void;
}

/** The single place server events are routed: adding a type to ServerEvent fails to compile here. */
export function routeEvent(event: ServerEvent, handlers: EventHandlers): void {
  switch (event.type) {
    case 'project.fetch':
      handlers.onFetch?.(event);
      return;
    case 'table.changed':
      handlers.onTableChanged?.(event);
      return;
    case 'experiment.status':
      handlers.onExperimentStatus?.(event);
      return;
    case 'experiment.log':
      handlers.onExperimentLog?.(event);
      return;
    case 'live.update':
      handlers.onLiveUpdate?.(event);
      return;
    case 'ci.status':
      handlers.onCiStatus?.(event);
      return;
    case 'access.changed':
      // Servers' own: never sent to browsers.
      return;
    default:
      assertNever(event);
  }
}

type Listener = (e: ServerEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;

function onMessage(msg: MessageEvent<string>): void {
  let json: unknown;
  try {
    json = JSON.parse(msg.data);
  } catch {
    return;
  }
  const parsed = ServerEvent.safeParse(json);
  if (!parsed.success) return;
  for (const l of listeners) l(parsed.data);
}

/** One EventSource shared by every subscriber; closed when the last one leaves. */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!source) {
    source = new EventSource('/api/events');
    source.onmessage = onMessage;
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && source) {
      source.close();
      source = null;
    }
  };
}
