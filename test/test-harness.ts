import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiError } from '../src/contracts/api.js';
import { Experiment, isFinished } from '../src/contracts/experiments.js';
import { startServer, type RunningServer } from '../src/server/app.js';

/** A real server on 127.0.0.1 with a temp home and the demo project, for the run tests. */
export async function startRunServer(settings: Record<string, string> = {}) {
  const home = await mkdtemp(path.join(tmpdir(), 'kiln-runs-'));
  const server: RunningServer = await startServer(
    // Fixture repositories are temp dirs; fixture Git servers listen on 127.0.0.1.
    {
      home,
      port: 0,
      host: '127.0.0.1',
      fetchIntervalSec: 0,
      createDemo: true,
      sourceRoots: [tmpdir()],
      allowPrivateSources: true,
    },
    () => undefined,
  );
  for (const [k, v] of Object.entries(settings)) await server.store.setSetting(k, v);
  const { user } = await server.store.ensureAdmin();
  const token = (await server.auth.createToken(user.id, 'test', 'user')).token;
  const api = async (
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(server.url + url, {
      method,
      headers: {
        authorization: `token ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  for (let i = 0; i < 1200; i++) {
    const p = await server.projects.get('demo').catch(() => null);
    if (p?.fetch.state === 'ok') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    home,
    server,
    token,
    api,
    async waitFor(
      name: string,
      done: (e: Experiment) => boolean = (e) => isFinished(e.status),
      timeoutMs = 180_000,
    ): Promise<Experiment> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const r = await api('GET', `/api/projects/demo/experiments/${name}`);
        const e = Experiment.parse(r.json);
        if (done(e)) return e;
        if (Date.now() > until) throw new Error(`timed out waiting for ${name}: ${e.status}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    },
    errorOf(json: unknown): string {
      return ApiError.parse(json).error;
    },
    async close() {
      await server.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
