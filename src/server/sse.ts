import type { FastifyInstance } from 'fastify';
import type { Authenticator } from './auth.js';
import type { EventBus } from './event-bus.js';

/** `GET /api/events`: server-sent events for the logged-in user's browser. */
export function registerSse(app: FastifyInstance, auth: Authenticator, bus: EventBus): void {
  app.get('/api/events', async (req, reply) => {
    const who = await auth.authenticate(req);
    if (!who || who.scope !== 'user') {
      return reply.code(401).send({ error: 'log in to receive events', code: 'unauthorized' });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    const off = bus.subscribe((_e, frame) => res.write(frame()));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      off();
    });
    return reply;
  });
}
