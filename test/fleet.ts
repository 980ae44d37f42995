/**
 * The multi-server test's parts, all real: N `kiln serve` processes from dist/ on one PostgreSQL
 * database, and Debian's nginx in front of them as the load balancer (round robin, no
 * stickiness), on 127.0.0.1. Servers can be SIGKILLed and started again on the same port and
 * data dir; their stdout lines are kept (the leader's takeover is said there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const NGINX = '/usr/sbin/nginx';
const ROOT = path.resolve(import.meta.dirname, '..');
export const KILN_BIN = path.join(ROOT, 'bin', 'kiln.js');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** The nginx configuration the test uses, and docs/running-several-servers.md shows. */
export function nginxConfig(dir: string, listen: number, upstreams: number[]): string {
  return `worker_processes 1;
daemon off;
# one process: the test's SIGKILL leaves no orphaned worker
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  upstream kiln {
    # round robin, no stickiness: any request may land on any server
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 16;
  }

  server {
    listen 127.0.0.1:${listen};
    # Kiln sets its own body limits per caller
    client_max_body_size 0;
    location / {
      proxy_pass http://kiln;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # server-sent events, live streams and uploads pass through unbuffered
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 1h;
      # a dead server: the request goes to the next one unless it was already sent (POSTs)
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502;
    }
  }
}
`;
}

export interface FleetServer {
  index: number;
  home: string;
  port: number;
  url: string;
  child: ChildProcess | null;
  /** Every line the server printed, across its restarts. */
  lines: string[];
}

export interface Fleet {
  servers: FleetServer[];
  /** The balancer's URL. */
  url: string;
  secretKey: string;
  start(i: number): Promise<void>;
  kill(i: number): void;
  /** Pids of the local agents of server i (alive or not). */
  agentLogs(i: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startFleet(opts: {
  n: number;
  databaseUrl: string;
  env?: Record<string, string>;
  /** argv of one server (default: `node bin/kiln.js serve --home H --port P`). */
  command?: (home: string, port: number) => string[];
}): Promise<Fleet> {
  const root = await mkdtemp(path.join(tmpdir(), 'kiln-fleet-'));
  const secretKey = randomBytes(24).toString('hex');
  const servers: FleetServer[] = [];
  for (let i = 0; i < opts.n; i++) {
    const home = path.join(root, `server-${i}`);
    await mkdir(home, { recursive: true, mode: 0o700 });
    const port = await freePort();
    servers.push({ index: i, home, port, url: `http://127.0.0.1:${port}`, child: null, lines: [] });
  }
  const start = async (i: number) => {
    const s = servers[i];
    if (!s) throw new Error(`no server ${i}`);
    const [cmd = process.execPath, ...args] = opts.command?.(s.home, s.port) ?? [
      process.execPath,
      KILN_BIN,
      'serve',
      '--home',
      s.home,
      '--port',
      String(s.port),
    ];
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        KILN_DATABASE_URL: opts.databaseUrl,
        KILN_SECRET_KEY: secretKey,
        KILN_NO_DEMO: '1',
        KILN_FETCH_INTERVAL: '0',
        KILN_LOG_LEVEL: 'warn',
        ...opts.env,
      },
    });
    s.child = child;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const onData = (b: Buffer) => {
        buf += b.toString();
        for (let j = buf.indexOf('\n'); j >= 0; j = buf.indexOf('\n')) {
          const line = buf.slice(0, j);
          buf = buf.slice(j + 1);
          s.lines.push(`${Date.now()} ${line}`);
          if (line.includes(' listening on ')) resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (b: Buffer) => s.lines.push(`${Date.now()} stderr ${b.toString().trim()}`));
      child.once('exit', (code, signal) => {
        s.lines.push(`${Date.now()} exited ${code ?? signal}`);
        reject(
          new Error(
            `server ${i} exited (${code ?? signal}) before listening: ${s.lines.slice(-5).join(' | ')}`,
          ),
        );
      });
    });
  };
  for (let i = 0; i < opts.n; i++) await start(i);

  const nginxDir = path.join(root, 'nginx');
  await mkdir(nginxDir, { recursive: true });
  const listen = await freePort();
  await writeFile(
    path.join(nginxDir, 'nginx.conf'),
    nginxConfig(
      nginxDir,
      listen,
      servers.map((s) => s.port),
    ),
  );
  const nginx = spawn(
    NGINX,
    ['-p', nginxDir, '-c', path.join(nginxDir, 'nginx.conf'), '-e', path.join(nginxDir, 'error.log')],
    {
      stdio: 'ignore',
    },
  );
  const url = `http://127.0.0.1:${listen}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100)
      throw new Error(
        `nginx did not come up: ${await readFile(path.join(nginxDir, 'error.log'), 'utf8').catch(() => '')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }

  const agentPids = async (i: number) => {
    const dir = path.join(servers[i]?.home ?? '', 'agents');
    const out: number[] = [];
    for (const f of await readdir(dir).catch(() => []))
      if (f.endsWith('.pid')) out.push(Number(await readFile(path.join(dir, f), 'utf8')));
    return out;
  };
  return {
    servers,
    url,
    secretKey,
    start,
    kill(i) {
      servers[i]?.child?.kill('SIGKILL');
    },
    async agentLogs(i) {
      const dir = path.join(servers[i]?.home ?? '', 'agents');
      const out: string[] = [];
      for (const f of await readdir(dir).catch(() => []))
        if (f.endsWith('.log')) out.push(await readFile(path.join(dir, f), 'utf8'));
      return out;
    },
    async close() {
      nginx.kill('SIGKILL');
      for (const s of servers) s.child?.kill('SIGKILL');
      for (let i = 0; i < servers.length; i++)
        for (const pid of await agentPids(i))
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
      await rm(root, { recursive: true, force: true });
    },
  };
}

export const nginxPresent = () => existsSync(NGINX);
