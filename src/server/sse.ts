import type { Store } from '../store/port.js';
import type { Auth } from './auth.js';
import { can, projectAccess } from './authz/index.js';
import type { EventBus } from './event-bus.js';
import type { makeRoute } from './route.js';

/**
 * How long one connection trusts what it learned about a project. Events come many a second
 * (logs, live metrics), so access is not read per event; a membership removed is honoured
 * within this time, and the caller's token itself is checked when the connection opens.
 */
const ACCESS_TTL_MS = 5_000;

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
    const off = bus.subscribe((e, frame) => {
      const known = may.now(e.project);
      if (known === true) {
        chain = chain.then(() => void res.write(frame()));
        return;
      }
      if (known === false) return;
      chain = chain.then(async () => {
        if (await may.check(e.project)) res.write(frame());
      });
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      off();
    });
    return reply;
  });
}

/** Which projects one connection's caller may read, remembered for {@link ACCESS_TTL_MS}. */
function readable(store: Store, auth: Auth | null) {
  const seen = new Map<string, { ok: boolean; at: number }>();
  return {
    now(project: string): boolean | undefined {
      const s = seen.get(project);
      return s && Date.now() - s.at < ACCESS_TTL_MS ? s.ok : undefined;
    },
    async check(project: string): Promise<boolean> {
      const cached = this.now(project);
      if (cached !== undefined) return cached;
      const a = await projectAccess(store, auth, project).catch(() => null);
      const ok = a !== null && can(auth, 'project:read', a.role);
      seen.set(project, { ok, at: Date.now() });
      return ok;
    },
  };
}
