import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../src/server/app.js';
import type { ServerConfig } from '../src/server/config.js';

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
  /** Adds a project and waits for its first fetch; throws with the server's answer otherwise. */
  addProject(name: string, source: string): Promise<void>;
}

/** A real Kiln server on 127.0.0.1 with a temp data dir, for tests. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const home = overrides.home ?? mkdtempSync(path.join(tmpdir(), 'kiln-home-'));
  const server = await startServer(
    {
      home,
      port: 0,
      host: '127.0.0.1',
      fetchIntervalSec: 0,
      createDemo: false,
      // Fixture repositories are temp dirs, and fixture Git servers listen on 127.0.0.1.
      sourceRoots: [tmpdir()],
      allowPrivateSources: true,
      // Warnings and errors still show in a test's output; "Server listening" and the like do not.
      logLevel: 'warn',
      ...overrides,
    },
    () => undefined,
  );
  const { user } = await server.store.ensureAdmin();
  const { token } = await server.auth.createToken(user.id, 'test');
  const t: TestServer = {
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
    async addProject(name, source) {
      const added = await t.api('POST', '/api/projects', { name, source });
      if (added.status !== 201) throw new Error(`adding ${name}: ${JSON.stringify(added.json)}`);
      const fetched = await t.api('POST', `/api/projects/${name}/reload`);
      if (fetched.status !== 200) throw new Error(`fetching ${name}: ${JSON.stringify(fetched.json)}`);
    },
  };
  return t;
}
