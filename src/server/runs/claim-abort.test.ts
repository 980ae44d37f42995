import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AgentReply } from '../../contracts/agent.js';
import { CreatedExperiments, Experiment } from '../../contracts/experiments.js';
import { startServer, type RunningServer } from '../app.js';

/**
 * An agent that dies while its claim long-polls closes the connection: the server must not hand
 * it the next run (which would sit claimed until its lease ended, then be lost) but keep the run
 * for a live agent.
 */
let home = '';
let server: RunningServer;
let userToken = '';
let agentToken = '';

async function post(url: string, token: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(server.url + url, {
    method: 'POST',
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'kiln-claim-abort-'));
  // The local target's own agents never connect: only the agents of this test claim.
  server = await startServer(
    {
      home,
      port: 0,
      host: '127.0.0.1',
      fetchIntervalSec: 0,
      createDemo: true,
      agentCommand: ['bash', '-c', 'exec sleep 900'],
    },
    () => undefined,
  );
  const { user } = await server.store.ensureAdmin();
  userToken = (await server.auth.createToken(user.id, 'test', 'user')).token;
  agentToken = (await server.auth.createToken(user.id, 'test agents', 'agent')).token;
  for (let i = 0; i < 1200; i++) {
    const p = await server.projects.get('demo').catch(() => null);
    if (p?.fetch.state === 'ok') break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(home, { recursive: true, force: true });
});

it('a claim whose agent hung up takes no job: the run waits for a live agent', async () => {
  const register = async (hostname: string) =>
    AgentReply.parse(
      await post('/api/agent', agentToken, { type: 'register', hostname, pid: 1, version: 't', running: [] }),
    );
  const ghost = await register('ghost');
  if (ghost.type !== 'registered') throw new Error('not registered');
  const hangUp = new AbortController();
  const pending = post(
    '/api/agent',
    agentToken,
    { type: 'claim', agentId: ghost.agentId, waitMs: 20_000 },
    hangUp.signal,
  ).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 500));
  hangUp.abort();
  await pending;
  await new Promise((r) => setTimeout(r, 300));

  const created = CreatedExperiments.parse(
    await post('/api/projects/demo/experiments', userToken, {
      rev: 'main',
      name: 'after-hang-up',
      script: 'true\n',
    }),
  );
  expect(created.experiments[0]?.status).toBe('queued');
  await new Promise((r) => setTimeout(r, 1500));
  const res = await fetch(`${server.url}/api/projects/demo/experiments/after-hang-up`, {
    headers: { authorization: `token ${userToken}` },
  });
  expect(Experiment.parse(await res.json()).status).toBe('queued');

  const live = await register('live');
  if (live.type !== 'registered') throw new Error('not registered');
  const reply = AgentReply.parse(
    await post('/api/agent', agentToken, { type: 'claim', agentId: live.agentId, waitMs: 5000 }),
  );
  expect(reply.type).toBe('job');
  if (reply.type === 'job') expect(reply.job.name).toBe('after-hang-up');
}, 60_000);
