import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/port.js';
import type { Authenticator } from '../auth.js';
import type { EventBus } from '../event-bus.js';
import type { ProjectService } from '../projects/project-service.js';
import type { RepoReader } from '../table/repo-reader.js';
import type { TableService } from '../table/table-service.js';
import { LiveFanout } from './fanout.js';
import { LiveAuth } from './live-auth.js';
import { LiveService } from './live-service.js';
import { PlotsReader } from './plots.js';
import { registerLiveRoutes } from './routes.js';
import { StaleSweeper } from './stale.js';

export interface LiveDeps {
  store: Store;
  projects: ProjectService;
  /** How plots read the project's repository. */
  repo: RepoReader;
  bus: EventBus;
  auth: Authenticator;
  /** A live experiment with no event for this long shows `stale` (default 10 minutes). */
  staleAfterSec?: number;
  /** How often browsers may get a `live.update` per experiment (default 250 ms). */
  fanoutIntervalMs?: number;
  /** Whether this server runs the cluster's singletons (the stale sweep); default always. */
  leader?: () => boolean;
}

/**
 * Wires the live protocol: ingest, fan-out over SSE, plots, stale detection. Its `service` gives
 * the table (TableService) the live rows laid over the experiments.
 */
export function createLive(deps: LiveDeps) {
  const { store, projects, bus, auth } = deps;
  const fanout = new LiveFanout(bus, deps.fanoutIntervalMs ?? 250);
  const service = new LiveService(store, fanout, {
    staleAfterMs: (deps.staleAfterSec ?? 600) * 1000,
    now: Date.now,
  });
  const plots = new PlotsReader(store, service, deps.repo);
  const liveAuth = new LiveAuth(store);
  const sweeper = new StaleSweeper(store, bus, service, deps.leader);
  let url = '';
  return {
    service,
    /** Registers `/api/live`, `/webhook/dvc`, the live list/delete and plots routes. */
    async register(app: FastifyInstance, tables: TableService) {
      await registerLiveRoutes(app, {
        auth,
        store,
        liveAuth,
        live: service,
        plots,
        projects,
        tables,
        url: () => url,
      });
    },
    start(serverUrl: string) {
      url = serverUrl;
      sweeper.start();
    },
    close() {
      sweeper.stop();
      fanout.close();
    },
  };
}

export type Live = ReturnType<typeof createLive>;
