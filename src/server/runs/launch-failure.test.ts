import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Experiment } from '../../contracts/experiments.js';
import { startRunServer } from '../../../test/test-harness.js';
import { agentBundle, requires } from '../../../test/services.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  h = await startRunServer();
  // A key made in-process: ssh-keygen (openssh-client) is not on every clean machine.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const ok = async (url: string, body: unknown) => {
    const r = await h.api('POST', url, body);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
  };
  await ok('/api/compute/credentials', {
    name: 'k',
    secret: { kind: 'ssh', privateKey },
  });
  // Nothing listens on port 1: every launch fails.
  await ok('/api/compute/profiles', {
    name: 'nowhere-box',
    kind: 'ssh',
    settings: { hosts: ['127.0.0.1:1'], credential: 'k', user: 'root', trustAnyHostKey: true },
  });
}, 120_000);
afterAll(async () => h?.close(), 60_000);

it('a run whose machine cannot start stays queued and its row says why; cancel still works', async (ctx) => {
  requires(ctx, agentBundle);
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'stuck',
    target: 'nowhere-box',
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  const get = async () => Experiment.parse((await h.api('GET', '/api/projects/demo/experiments/stuck')).json);
  await expect
    .poll(async () => (await get()).error ?? '', { timeout: 60_000, interval: 250 })
    .toMatch(/^waiting: no ssh machine could be started for nowhere-box: /);
  expect((await get()).status).toBe('queued');
  expect((await h.api('POST', '/api/projects/demo/experiments/stuck/cancel')).status).toBe(200);
  expect((await h.waitFor('stuck')).status).toBe('cancelled');
}, 120_000);
