import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../app.js';
import { postgres, suiteRequires } from '../../../test/services.js';
import { freshDatabase, subscribe, until, type SseEvent } from '../../../test/cluster.js';

const ready = suiteRequires(postgres);
const servers: Array<{ server: RunningServer; home: string; token: string }> = [];
let db: Awaited<ReturnType<typeof freshDatabase>> | null = null;

async function start(databaseUrl: string, createDemo: boolean) {
  const home = await mkdtemp(path.join(tmpdir(), 'kiln-cluster-'));
  const server = await startServer(
    { home, port: 0, host: '127.0.0.1', fetchIntervalSec: 0, createDemo, databaseUrl },
    () => undefined,
  );
  const { user } = await server.store.ensureAdmin();
  const { token } = await server.auth.createToken(user.id, 'test', 'user');
  const s = { server, home, token };
  servers.push(s);
  return s;
}

beforeAll(async () => {
  if (!ready) return;
  db = await freshDatabase();
  await start(db.url, true);
  await start(db.url, false);
}, 120_000);

afterAll(async () => {
  for (const s of servers) {
    await s.server.close();
    await rm(s.home, { recursive: true, force: true });
  }
  await db?.drop();
});

describe('two servers on one PostgreSQL', () => {
  it("shows on server B's event stream every event of a run whose API calls went to server A, in order", async () => {
    const [a, b] = servers;
    if (!a || !b) throw new Error('servers did not start');
    await until(
      'the demo fetched',
      async () => (await a.server.projects.get('demo').catch(() => null))?.fetch.state === 'ok',
      120_000,
    );
    const onA = await subscribe(a.server.url, a.token);
    const onB = await subscribe(b.server.url, b.token);
    // One log line far bigger than a NOTIFY payload (8000 bytes): it goes through cluster_events.
    const res = await fetch(`${a.server.url}/api/projects/demo/experiments`, {
      method: 'POST',
      headers: { authorization: `token ${a.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        rev: 'main',
        name: 'seen-elsewhere',
        script:
          'for i in 1 2 3; do echo "line $i"; sleep 0.2; done\nhead -c 30000 /dev/zero | tr "\\0" x; echo\n',
      }),
    });
    expect(res.status).toBe(201);
    const mine = (e: SseEvent) => e.data.name === 'seen-elsewhere';
    const final = (list: SseEvent[]) =>
      list.some((e) => mine(e) && e.data.type === 'experiment.status' && e.data.status === 'succeeded');
    await until('the run succeeded, seen on A', () => final(onA.events), 120_000);
    await until('the run succeeded, seen on B', () => final(onB.events), 10_000);
    onA.close();
    onB.close();
    const fromA = onA.events.filter(mine);
    const fromB = onB.events.filter(mine);
    // Same events, same order, same bytes.
    expect(fromB.map((e) => e.data)).toEqual(fromA.map((e) => e.data));
    const types = new Set(fromB.map((e) => e.data.type));
    expect(types).toContain('experiment.status');
    expect(types).toContain('experiment.log');
    const text = fromB
      .filter((e) => e.data.type === 'experiment.log')
      .map((e) => (e.data.chunk as { text: string }).text)
      .join('');
    expect(text).toContain('line 3');
    expect(text).toContain('x'.repeat(30000));
    const delays = fromB.map((e, i) => e.at - (fromA[i]?.at ?? 0)).sort((x, y) => x - y);
    const median = delays[Math.floor(delays.length / 2)] ?? 0;
    const max = delays[delays.length - 1] ?? 0;
    console.log(
      `cluster events: ${fromB.length} events of the run reached B; delay after A median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
    );
    // Speed is the bench's; this only says the event is not waiting on a poll or a timer.
    expect(max).toBeLessThan(1000);
  });
});
