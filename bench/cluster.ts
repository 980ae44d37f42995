/**
 * Several servers behind nginx on one PostgreSQL (issue 17): live ingest and dispatch through the
 * balancer with 1 server and with 3, in the same run. `cluster.*_3` carries the 1-server figure
 * as its baseline and the ratio: on a 2-core machine three servers will not be faster, so the
 * ratio shows what the coordination (NOTIFY, the shared database, the balancer) costs; the
 * issue's target is ≥ 0.7×.
 *
 * Needs KILN_TEST_DATABASE_URL (PostgreSQL) and /usr/sbin/nginx, as the multi-server test does.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { AgentReply, type AgentMessage } from '../src/contracts/agent.js';
import { CreatedExperiments } from '../src/contracts/experiments.js';
import { openStore } from '../src/store/open-store.js';
import { Authenticator } from '../src/server/auth.js';
import { TestRepo } from '../test/test-repo.js';
import { freshDatabase } from '../test/cluster.js';
import { NGINX, startFleet } from '../test/fleet.js';
import { runAgentsApart } from './dispatch-agents.js';
import { drive } from './live.js';
import { round, type BenchResult } from './result.js';

const QUEUED = 300;
const AGENTS = 30;

interface Figures {
  ingest: number;
  dispatch: number;
}

async function measure(n: number): Promise<Figures> {
  const db = await freshDatabase('kiln_bench');
  const repo = new TestRepo();
  repo.write('params.yaml', 'seed: 0\n');
  repo.commit('first');
  const serve = path.join(import.meta.dirname, 'cluster-serve.ts');
  const fleet = await startFleet({
    n,
    databaseUrl: db.url,
    env: { KILN_SOURCE_ROOTS: path.dirname(repo.dir), KILN_ALLOW_PRIVATE_SOURCES: '1' },
    command: (home, port) => [process.execPath, '--import', 'tsx', serve, home, String(port)],
  });
  try {
    const store = await openStore({ kind: 'postgres', url: db.url });
    const { user } = await store.ensureAdmin();
    const auth = new Authenticator(store);
    const token = (await auth.createToken(user.id, 'bench', 'user')).token;
    const agentToken = (await auth.createToken(user.id, 'bench agents', 'agent')).token;
    await store.setSetting('compute.local.concurrency', String(AGENTS));
    await store.close();
    const post = async (url: string, t: string, body: unknown): Promise<unknown> => {
      const res = await fetch(fleet.url + url, {
        method: 'POST',
        headers: { authorization: `token ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`);
      return JSON.parse(text);
    };
    await post('/api/projects', token, { name: 'bench', source: repo.dir });

    // Live ingest: the best of two drives through the balancer (a warm-up first).
    const live = new URL('/api/live', fleet.url);
    await drive(live, token, repo.dir, 'warm');
    let ingest = 0;
    for (let r = 0; r < 2; r++) ingest = Math.max(ingest, await drive(live, token, repo.dir, `run${r}`));

    // Dispatch: simulated agents claim through the balancer, each claim landing on any server.
    const created = CreatedExperiments.parse(
      await post('/api/projects/bench/experiments', token, {
        rev: 'main',
        name: 'dispatch',
        set: [`seed=range(0,${QUEUED})`],
        script: 'echo run\n',
      }),
    );
    if (created.experiments.length !== QUEUED) throw new Error(`queued ${created.experiments.length}`);
    const ids: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const msg: AgentMessage = {
        type: 'register',
        hostname: `sim-${i}`,
        pid: 1 + i,
        version: 'bench',
        running: [],
      };
      const r = AgentReply.parse(await post('/api/agent', agentToken, msg));
      if (r.type !== 'registered') throw new Error(`register: ${r.type}`);
      ids.push(r.agentId);
    }
    const out = await runAgentsApart({
      url: fleet.url,
      token: agentToken,
      agentIds: ids,
      jobs: QUEUED,
      holdMs: 0,
    });
    return { ingest, dispatch: out.dispatched / out.wallSec };
  } finally {
    await fleet.close();
    await db.drop();
  }
}

export async function benchCluster(): Promise<BenchResult[]> {
  if (!process.env.KILN_TEST_DATABASE_URL || !existsSync(NGINX))
    throw new Error(
      'the cluster bench needs PostgreSQL in KILN_TEST_DATABASE_URL and nginx at /usr/sbin/nginx',
    );
  const one = await measure(1);
  const three = await measure(3);
  return [
    { name: 'cluster.live_ingest_1', value: round(one.ingest, 0), unit: 'events/s' },
    {
      name: 'cluster.live_ingest_3',
      value: round(three.ingest, 0),
      unit: 'events/s',
      baseline: round(one.ingest, 0),
      ratio: round(three.ingest / one.ingest, 3),
    },
    { name: 'cluster.dispatch_1', value: round(one.dispatch, 1), unit: 'dispatches/s' },
    {
      name: 'cluster.dispatch_3',
      value: round(three.dispatch, 1),
      unit: 'dispatches/s',
      baseline: round(one.dispatch, 1),
      ratio: round(three.dispatch / one.dispatch, 3),
    },
  ];
}
