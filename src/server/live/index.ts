import type { FastifyInstance } from 'fastify';
import type { TableRow } from '../../contracts/api.js';
import type { Store } from '../../store/port.js';
import type { Authenticator } from '../auth.js';
import type { EventBus } from '../event-bus.js';
import type { ExperimentRowSource, ProjectService } from '../projects/project-service.js';
import { LiveFanout } from './fanout.js';
import { LiveAuth } from './live-auth.js';
import { LiveService } from './live-service.js';
import { PlotsReader } from './plots.js';
import { registerLiveRoutes } from './routes.js';
import { StaleSweeper } from './stale.js';

export interface LiveDeps {
  store: Store;
  projects: ProjectService;
  bus: EventBus;
  auth: Authenticator;
  /** A live experiment with no event for this long shows `stale` (default 10 minutes). */
  staleAfterSec?: number;
  /** How often browsers may get a `live.update` per experiment (default 250 ms). */
  fanoutIntervalMs?: number;
  /** Whether this server runs the cluster's singletons (the stale sweep); default always. */
  leader?: () => boolean;
}

/** Wires the live protocol: ingest, fan-out over SSE, plots, stale detection, table rows. */
export function createLive(deps: LiveDeps) {
  const { store, projects, bus, auth } = deps;
  const fanout = new LiveFanout(bus, deps.fanoutIntervalMs ?? 250);
  const service = new LiveService(store, fanout, {
    staleAfterMs: (deps.staleAfterSec ?? 600) * 1000,
    now: Date.now,
  });
  const plots = new PlotsReader(
    store,
    service,
    (p) => projects.mirrorDir(p),
    (p, sha, files, inDir) => projects.keptFiles(p, sha, files, inDir),
  );
  const liveAuth = new LiveAuth(store);
  const sweeper = new StaleSweeper(store, bus, service, deps.leader);
  let url = '';
  return {
    service,
    /** Registers `/api/live`, `/webhook/dvc`, the live list/delete and plots routes. */
    async register(app: FastifyInstance) {
      await registerLiveRoutes(app, {
        auth,
        store,
        liveAuth,
        live: service,
        plots,
        projects,
        url: () => url,
      });
    },
    start(serverUrl: string) {
      url = serverUrl;
      sweeper.start();
    },
    /** Rows of live experiments Kiln did not start, for the experiments table. */
    listLiveRows(project: string): Promise<TableRow[]> {
      return service.rows(project);
    },
    /**
     * Wraps the runs' experiment-row source: Kiln runs get their live metrics, and experiments
     * reported only over the live protocol are added.
     */
    withLiveRows(inner: ExperimentRowSource): ExperimentRowSource {
      return async (project, baselines) => {
        const runs = await service.overlay(project, await inner(project, baselines));
        const taken = new Set(runs.map((r) => `${r.baseline ?? ''}/${r.name ?? ''}`));
        const extra = (await service.rows(project)).filter(
          (r) => !taken.has(`${r.baseline ?? ''}/${r.name ?? ''}`),
        );
        return [...runs, ...extra];
      };
    },
    close() {
      sweeper.stop();
      fanout.close();
    },
  };
}

export type Live = ReturnType<typeof createLive>;
