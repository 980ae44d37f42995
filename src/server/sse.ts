import type { Store } from '../store/port.js';
import type { Auth } from './auth.js';
import { can, projectAccess } from './authz/index.js';
import type { EventBus } from './event-bus.js';
import type { makeRoute } from './route.js';

/**
 * What one connection learned about a project is kept until access changes: events come many
 * a second (logs, live metrics), so access is not read per event. Every change of who may read
 * what (a role, a membership, a project deleted, a token revoked) is an `access.changed` event,
 * from this server or another one of the cluster, and makes every connection forget at once.
 */

/**
 * `GET /api/events`: server-sent events for a signed-in person, carrying only the events of
 * projects they may read (others' projects do not exist for them).
 */
export function registerSse(route: ReturnType<typeof makeRoute>, store: Store, bus: EventBus): void {
  route({ method: 'GET', url: '/api/events', permission: 'signed-in' }, async ({ req, reply, auth }) => {
    const may = readable(store, auth);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    // Events are written in the order published, even while an access look-up is under way.
    let chain = Promise.resolve();
    const send = (text: string) => {
      if (!res.writableEnded) res.write(text);
    };
    const off = bus.subscribe((e, frame) => {
      if (e.type === 'access.changed') {
        may.forget();
        // A revoked token's streams end; the browser reconnects with whatever it has now.
        if (e.tokenId !== null && e.tokenId === auth?.tokenId)
          chain = chain.then(() => {
            stop();
            res.end();
          });
        return;
      }
      const known = may.now(e.project);
      if (known === true) {
        chain = chain.then(() => send(frame()));
        return;
      }
      if (known === false) return;
      chain = chain.then(async () => {
        if (await may.check(e.project)) send(frame());
      });
    });
    const ping = setInterval(() => send(': ping\n\n'), 15_000);
    function stop() {
      clearInterval(ping);
      off();
    }
    req.raw.on('close', stop);
    return reply;
  });
}

/** Which projects one connection's caller may read, remembered until {@link forget}. */
function readable(store: Store, auth: Auth | null) {
  const seen = new Map<string, boolean>();
  // A look-up under way when access changes must not store what it read before the change.
  let generation = 0;
  return {
    now(project: string): boolean | undefined {
      return seen.get(project);
    },
    forget(): void {
      generation++;
      seen.clear();
    },
    async check(project: string): Promise<boolean> {
      const cached = this.now(project);
      if (cached !== undefined) return cached;
      const asked = generation;
      const a = await projectAccess(store, auth, project).catch(() => null);
      const ok = a !== null && can(auth, 'project:read', a.role);
      if (asked === generation) seen.set(project, ok);
      return ok;
    },
  };
}
