import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from './app.js';
import type { ServerConfig } from './config.js';

export interface TestServer extends RunningServer {
  home: string;
  /** An admin access token. */
  token: string;
  /** fetch against the server with the admin token unless `headers.authorization` is given. */
  api(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: unknown }>;
}

/** A real Kiln server on 127.0.0.1 with a temp data dir, for tests. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const home = overrides.home ?? mkdtempSync(path.join(tmpdir(), 'kiln-home-'));
  const server = await startServer(
    { home, port: 0, host: '127.0.0.1', fetchIntervalSec: 0, createDemo: false, ...overrides },
    () => undefined,
  );
  const { user } = await server.store.ensureAdmin();
  const { token } = await server.auth.createToken(user.id, 'test');
  return {
    ...server,
    home,
    token,
    async api(method, url, body, headers = {}) {
      const res = await fetch(server.url + url, {
        method,
        headers: {
          authorization: `token ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = text;
      }
      return { status: res.status, json };
    },
  };
}
