/**
 * Several Kiln servers on one PostgreSQL, for the cluster tests: a database of their own (made
 * from KILN_TEST_DATABASE_URL, dropped after), and an SSE reader that keeps every event it gets.
 */
import pg from 'pg';

/** Makes a fresh database on the test server; returns its URL and how to drop it. */
export async function freshDatabase(
  prefix = 'kiln_cluster',
): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.KILN_TEST_DATABASE_URL ?? '';
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await c.end();
    },
  };
}

export interface SseEvent {
  at: number;
  data: Record<string, unknown> & { type: string };
}

/** Subscribes to `/api/events` of one server; every event, with when it came, lands in `events`. */
export async function subscribe(base: string, token: string): Promise<{ events: SseEvent[]; close(): void }> {
  const ctl = new AbortController();
  const res = await fetch(`${base}/api/events`, {
    headers: { authorization: `token ${token}` },
    signal: ctl.signal,
  });
  if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
  const events: SseEvent[] = [];
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += value;
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (frame.startsWith('data: '))
          events.push({ at: performance.now(), data: JSON.parse(frame.slice(6)) as SseEvent['data'] });
      }
    }
  })();
  return { events, close: () => ctl.abort() };
}

export async function until<T>(
  what: string,
  f: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
