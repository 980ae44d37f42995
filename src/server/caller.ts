import type { FastifyRequest } from 'fastify';
import type { Auth } from './auth.js';

/**
 * Who made a request, as the route builder settled it before the body was read. Hooks that run
 * after the handler (the audit trail) read it here instead of authenticating a second time.
 */
const callers = new WeakMap<FastifyRequest, Auth | null>();

export function setCaller(req: FastifyRequest, who: Auth | null): void {
  callers.set(req, who);
}

/** The caller; null for an anonymous request, undefined when no route builder saw it. */
export function callerOf(req: FastifyRequest): Auth | null | undefined {
  return callers.get(req);
}
