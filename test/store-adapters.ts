/** The Store adapters the conformance suites run on, and the rows they fill the queue with. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/open-store.js';
import type { ProjectRecord, Store } from '../src/store/port.js';
import { postgres, type Service } from './services.js';

/** Every Store adapter passes the same suite: SQLite always, PostgreSQL when CI provides one. */
export const pgUrl = process.env.KILN_TEST_DATABASE_URL;
export interface StoreAdapter {
  name: string;
  open: () => Promise<Store>;
  /** A second Store on the same database, as a second server would open it. */
  reopen?: (first: Store) => Promise<Store>;
  needs?: Service;
}

const schemas = new WeakMap<Store, string>();

export const adapters: StoreAdapter[] = [
  {
    name: 'sqlite',
    open: () =>
      openStore({
        kind: 'sqlite',
        file: path.join(mkdtempSync(path.join(tmpdir(), 'kiln-store-')), 'kiln.db'),
      }),
  },
];
// Without a database the PostgreSQL half is listed as skipped, with the reason.
adapters.push({
  name: 'postgres',
  needs: postgres,
  open: async () => {
    const schema = `t_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const c = new pg.Client({ connectionString: pgUrl ?? '' });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    const s = await openStore({ kind: 'postgres', url: pgUrl ?? '', schema });
    schemas.set(s, schema);
    return s;
  },
  reopen: (first) => openStore({ kind: 'postgres', url: pgUrl ?? '', schema: schemas.get(first) ?? '' }),
});

/** Project `q`, which the queue tests fill. */
export const queueProject = (now: string): ProjectRecord => ({
  name: 'q',
  source: '/tmp/q',
  subdir: null,
  credentialsEnc: null,
  settingsJson: '{}',
  fetchState: 'never',
  fetchAt: null,
  fetchError: null,
  createdAt: now,
});

/** One experiment of project `q` with its job, queued. */
export const queueEntry = (
  now: string,
  name: string,
  target: string,
  status: string,
  priority: number,
  queueOrder: number,
) => ({
  experiment: {
    id: `e-${name}`,
    project: 'q',
    name,
    baseline: 'a'.repeat(40),
    message: '',
    changeSetJson: '{}',
    target,
    timeoutSec: 60,
    priority,
    queueOrder,
    status,
    timelineJson: '[]',
    exitCode: null,
    error: null,
    resultCommit: null,
    sweepId: null,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
  },
  job: {
    id: `j-${name}`,
    experimentId: `e-${name}`,
    state: 'queued' as const,
    agentId: null,
    leaseUntil: null,
    cancelRequested: false,
    runTokenId: null,
    createdAt: now,
  },
});
