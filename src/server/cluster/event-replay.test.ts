/**
 * A server whose cluster session (LISTEN) is cut misses no event of the other servers: once it
 * listens again it delivers, in order and once each, what was published meanwhile. Real
 * PostgreSQL; the cut is a real TCP proxy between server B and the database that drops B's
 * connections and refuses new ones until it is let through again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import type { ServerEvent } from '../../contracts/events.js';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/port.js';
import { EventBus } from '../event-bus.js';
import { postgres, suiteRequires } from '../../../test/services.js';
import { freshDatabase, until } from '../../../test/cluster.js';
import { PgEventRelay } from './pg-events.js';
import { PgLink } from './pg-link.js';

const ready = suiteRequires(postgres);
let db: Awaited<ReturnType<typeof freshDatabase>> | null = null;
let store: Store | null = null;

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused). */
async function cuttableProxy(target: URL) {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: url.toString(),
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

beforeAll(async () => {
  if (!ready) return;
  db = await freshDatabase();
  // The schema (cluster_events) as the servers' store makes it.
  store = await openStore({ kind: 'postgres', url: db.url });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const log = (e: string): ServerEvent => ({ type: 'table.changed', project: e });

describe('cluster events across a lost LISTEN session', () => {
  it('a server whose session was cut gets, once it is back, every event published meanwhile, in order, once each', async () => {
    if (!db) throw new Error('no database');
    const proxy = await cuttableProxy(new URL(db.url));
    const linkA = new PgLink(db.url, 'kiln test A', () => undefined);
    const linkB = new PgLink(proxy.url, 'kiln test B', () => undefined);
    const busA = new EventBus();
    const busB = new EventBus();
    const relayA = new PgEventRelay(linkA, busA, () => undefined);
    const relayB = new PgEventRelay(linkB, busB, () => undefined);
    await linkA.start();
    await linkB.start();
    busA.connect(relayA);
    busB.connect(relayB);
    // A third session listening all along: tells when A has sent its events.
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    const sent: string[] = [];
    watcher.on('notification', (m) => sent.push(m.payload ?? ''));
    await watcher.query('listen "kiln.events.public"');
    const gotOnB: string[] = [];
    busB.subscribe((e) => {
      if (e.type === 'table.changed') gotOnB.push(e.project);
    });
    try {
      busA.publish(log('before'));
      await until('B to get the first event', () => gotOnB.includes('before'), 10_000);

      proxy.cut();
      await until("B's session to be lost", () => !linkB.up, 10_000);
      // Published while B listens to nothing: one small event, one bigger than a NOTIFY payload.
      const big = `big-${'x'.repeat(20_000)}`;
      for (const e of ['during-1', big, 'during-3']) busA.publish(log(e));
      await until('A to have sent them', () => sent.length === 4, 10_000);
      expect(gotOnB).toEqual(['before']);

      proxy.restore();
      await until('B to get what it missed', () => gotOnB.length >= 4, 20_000);
      busA.publish(log('after'));
      await until('B to get the next event', () => gotOnB.includes('after'), 10_000);
      expect(gotOnB).toEqual(['before', 'during-1', big, 'during-3', 'after']);
      expect(relayB.replayed).toBe(3);
    } finally {
      busA.connect(null);
      busB.connect(null);
      await relayA.stop();
      await relayB.stop();
      await linkA.close();
      await linkB.close();
      await proxy.close();
      await watcher.end();
    }
  }, 60_000);
});
