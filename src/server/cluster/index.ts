import { hostname } from 'node:os';
import type { EventBus } from '../event-bus.js';
import { Leadership } from './leader.js';
import { PgEventRelay } from './pg-events.js';
import { PgLink } from './pg-link.js';

/** What the rest of the server asks of the cluster it may be part of. */
export interface Cluster {
  /** Whether this server runs the singletons now (always, on SQLite: one server only). */
  leader(): boolean;
  close(): Promise<void>;
}

/**
 * On PostgreSQL every server may have peers: its events reach their browsers through
 * LISTEN/NOTIFY, and one of them at a time runs the singletons. On SQLite there is one server.
 */
export async function startCluster(
  databaseUrl: string | undefined,
  bus: EventBus,
  log: (line: string) => void,
): Promise<Cluster> {
  if (!databaseUrl) return { leader: () => true, close: async () => undefined };
  const link = new PgLink(databaseUrl, `kiln ${hostname()} ${process.pid}`, log);
  const relay = new PgEventRelay(link, bus, log);
  const leadership = new Leadership(link, log);
  await link.start();
  bus.connect(relay);
  await leadership.start();
  return {
    leader: () => leadership.leader,
    async close() {
      bus.connect(null);
      await relay.stop();
      await leadership.stop();
      await link.close();
    },
  };
}
