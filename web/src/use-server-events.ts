import { useEffect, useRef } from 'react';
import { routeEvent, subscribe, type EventHandlers } from './events.js';

/** Subscribes for the component's lifetime; handlers may change between renders without resubscribing. */
export function useServerEvents(handlers: EventHandlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => subscribe((e) => routeEvent(e, ref.current)), []);
}
