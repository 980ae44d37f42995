/**
 * `kiln serve` as a real child process, for tests that kill it, restart it on the same data dir,
 * or measure its latency from outside (the test's own event loop is then not the server's).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

const MAIN = path.resolve(import.meta.dirname, '../src/cli/main.ts');

export interface KilnProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The login URL this start printed (a fresh one-time code each start). */
  readonly loginUrl: URL;
  /** Everything the server printed on stdout so far. */
  output(): string;
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `kiln serve --home HOME` (no demo, no periodic fetch, temp dir as source root). */
export async function startKiln(
  home: string,
  opts: { port?: number; env?: Record<string, string>; demo?: boolean } = {},
): Promise<KilnProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--home', home, '--port', String(opts.port ?? 0)],
    {
      env: {
        ...process.env,
        ...(opts.demo ? {} : { KILN_NO_DEMO: '1' }),
        KILN_FETCH_INTERVAL: '0',
        KILN_LOG_LEVEL: 'silent',
        KILN_SOURCE_ROOTS: tmpdir(),
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  const loginUrl = await new Promise<URL>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Login: (\S+)/.exec(out);
      if (m?.[1]) resolve(new URL(m[1]));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`kiln serve exited (${code ?? signal}) before it listened: ${out}`)),
    );
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    url: loginUrl.origin,
    loginUrl,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Signs in with the start's login code and makes a personal API token. */
export async function apiToken(k: KilnProcess, name = 'test'): Promise<string> {
  const res = await fetch(`${k.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: k.loginUrl.searchParams.get('code') }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${k.url}/api/tokens`, {
    method: 'POST',
    headers: { cookie, origin: k.url, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (created.status !== 201 && created.status !== 200)
    throw new Error(`could not make a token: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}

/**
 * Polls `url` from a process of its own every `everyMs` until `stop()`; returns each answer's
 * latency in ms (the poller's event loop is neither the server's nor the test's).
 */
export function pollLatency(url: string, everyMs = 20): { stop(): Promise<number[]> } {
  const poller = spawn(process.execPath, ['-e', POLLER, url, String(everyMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  poller.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number[]>((resolve) =>
    poller.on('exit', () => resolve(JSON.parse(out || '[]') as number[])),
  );
  return {
    stop() {
      poller.stdin.end();
      return done;
    },
  };
}

const POLLER = `
let stop = false;
const took = [];
process.stdin.on('end', () => (stop = true)).resume();
(async () => {
  while (!stop) {
    const t = performance.now();
    await fetch(process.argv[1]).then((r) => r.text()).catch(() => undefined);
    took.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, Number(process.argv[2])));
  }
  process.stdout.write(JSON.stringify(took));
})();
`;

/** p50, p95 and max of latencies, rounded to the ms. */
export function latencyFigures(ms: readonly number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: Math.round(s.at(-1) ?? 0) };
}
