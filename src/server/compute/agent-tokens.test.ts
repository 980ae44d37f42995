import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { simulatedAws, startSimCloudServer } from '../../../test/sim-cloud-harness.js';

/** A bootstrap token's record as a cloud launch makes it, before its VM is known. */
const AT = {
  target: 'brief',
  kind: 'aws' as const,
  machineId: null,
  detail: '',
  zone: null,
  pricePerHour: null,
};

/**
 * Agent tokens of cloud VMs, through the real server, CloudBackend and startup script on the
 * simulated cloud: the user data holds a one-time bootstrap token that is dead once the VM
 * booted, and a VM's agent token dies with the VM (it revokes it on its idle timeout; the
 * reconciler revokes it when the VM went without a word).
 */
const BUNDLE = path.resolve('dist/agent.mjs');
const sim = simulatedAws();
let h: Awaited<ReturnType<typeof startSimCloudServer>>;

beforeAll(async () => {
  // Two profiles: the reclaim test gets a fresh VM of its own.
  const settings = { idleTimeoutSec: 4, maxInstances: 1 };
  h = await startSimCloudServer(sim, { brief: settings, other: settings });
}, 120_000);
afterAll(async () => {
  await h?.close();
  expect([...sim.instances.values()].filter((i) => i.state === 'running')).toEqual([]);
}, 60_000);

async function call(method: string, url: string, token: string, body?: unknown) {
  const res = await fetch(h.server.url + url, {
    method,
    headers: {
      authorization: `token ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Runs `script` on a VM; returns the VM, its bootstrap token (from its user data) and its agent's token. */
async function onVm(name: string, target = 'brief') {
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name,
    target,
    script: 'sleep 4\n',
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  const running = await h.waitFor(name, (e) => e.status !== 'queued' && e.status !== 'starting', 120_000);
  expect(running.status, running.error ?? '').toBe('running');
  const vm = sim.instances.get(running.placement?.id ?? '');
  if (!vm) throw new Error('no VM');
  const userData = readFileSync(path.join(vm.dir, 'user-data'), 'utf8');
  const bootstrap = /^KILN_BOOTSTRAP='([^']+)'$/m.exec(userData)?.[1] ?? '';
  // What a process on the VM could read of the agent: its environment.
  const pid = readFileSync(path.join(vm.dir, 'agent.pid'), 'utf8').trim();
  const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const agentToken = env.find((v) => v.startsWith('KILN_TOKEN='))?.slice('KILN_TOKEN='.length) ?? '';
  return { vm, bootstrap, agentToken, userData };
}

const claim = (token: string) =>
  call('POST', '/api/agent', token, { type: 'claim', agentId: randomUUID(), waitMs: 0 });

describe.skipIf(!existsSync(BUNDLE))('agent tokens of cloud VMs', () => {
  it('the token in the user data is dead once the VM booted; the agent token dies on the idle timeout', async () => {
    const { vm, bootstrap, agentToken, userData } = await onVm('boots');
    expect(bootstrap).toMatch(/^kiln_/);
    expect(agentToken).toMatch(/^kiln_/);
    expect(agentToken).not.toBe(bootstrap);
    expect(userData).not.toContain(agentToken);
    // Reading the user data now gets nothing: neither a second exchange nor the agent download.
    expect(await call('POST', '/api/agents/exchange', bootstrap)).toBe(401);
    expect(await call('GET', '/api/compute/agent.mjs', bootstrap)).toBe(401);
    expect(
      await call('POST', '/api/agent', bootstrap, { type: 'claim', agentId: randomUUID(), waitMs: 0 }),
    ).toBe(401);
    expect((await h.waitFor('boots')).status).toBe('succeeded');
    // The VM idles out, revokes its token and powers off.
    await expect
      .poll(() => sim.instances.get(vm.id)?.state, { timeout: 60_000, interval: 250 })
      .toBe('terminated');
    expect(await claim(agentToken)).toBe(401);
    // The agent left between two claims: a run queued right now is not handed to it (and lost),
    // it gets a new VM.
    expect(
      (
        await h.api('POST', '/api/projects/demo/experiments', {
          rev: 'main',
          name: 'after-idle',
          target: 'brief',
        })
      ).status,
    ).toBe(201);
    const next = await h.waitFor('after-idle');
    expect(next.status, next.error ?? '').toBe('succeeded');
    expect(next.placement?.id).not.toBe(vm.id);
  }, 240_000);

  it('a VM gone without a word (reclaimed) has its agent token revoked by the reconciler', async () => {
    const { vm, agentToken } = await onVm('reclaimed', 'other');
    await sim.terminate(vm.id);
    await expect.poll(() => sim.instances.get(vm.id)?.state, { timeout: 10_000 }).toBe('terminated');
    expect((await h.waitFor('reclaimed', undefined, 30_000)).status).toBe('lost');
    // Nothing on the VM could revoke it: it still works until the reconciler sees the VM gone.
    expect(await claim(agentToken)).toBe(200);
    await h.server.runs.targets.reconcile();
    expect(await claim(agentToken)).toBe(401);
  }, 240_000);

  it('a bootstrap token is refused after 30 minutes unexchanged, and is one-time', async () => {
    const store = h.server.store;
    const { user } = await store.ensureAdmin();
    const t = await h.server.auth.createToken(user.id, 'bootstrap brief', 'agent-bootstrap');
    await store.agents.openBootstrap(t.id, AT, new Date(Date.now() - 1000).toISOString());
    const res = await fetch(`${h.server.url}/api/agents/exchange`, {
      method: 'POST',
      headers: { authorization: `token ${t.token}` },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toContain('expired');
    const fresh = await h.server.auth.createToken(user.id, 'bootstrap brief', 'agent-bootstrap');
    await store.agents.openBootstrap(fresh.id, AT, new Date(Date.now() + 60_000).toISOString());
    expect(await call('POST', '/api/agents/exchange', fresh.token)).toBe(200);
    expect(await call('POST', '/api/agents/exchange', fresh.token)).toBe(401);
    // A bootstrap token opens no other route.
    const other = await h.server.auth.createToken(user.id, 'bootstrap brief', 'agent-bootstrap');
    expect(await call('GET', '/api/compute/agent.mjs', other.token)).toBe(403);
    expect(await call('GET', '/api/projects', other.token)).toBe(403);
  }, 60_000);

  it('a machine ended while its bootstrap token is being exchanged leaves no live agent token', async () => {
    const store = h.server.store;
    const targets = h.server.runs.targets;
    const { user } = await store.ensureAdmin();
    // A launch that never got a machine: the reconciler revokes its token once the TTL passed.
    const t = await h.server.auth.createToken(user.id, 'bootstrap brief', 'agent-bootstrap');
    await store.agents.openBootstrap(t.id, AT, new Date(Date.now() + 60_000).toISOString());
    // Made longer ago than the TTL, as the reconciler judges a launch that never got a machine.
    await (store as unknown as { db: Kysely<{ agent_tokens: { token_id: string; created_at: string } }> }).db
      .updateTable('agent_tokens')
      .set({ created_at: new Date(0).toISOString() })
      .where('token_id', '=', t.id)
      .execute();
    const open = async () => (await store.agents.bootstrap(t.id))?.revoked === false;
    // The server revokes it after the exchange spent it and before it recorded the agent token.
    const exchange = store.agents.exchange.bind(store.agents);
    let agentTokenId: string | null = null;
    store.agents.exchange = async (bootstrapId, agentToken) => {
      agentTokenId = agentToken;
      if (bootstrapId === t.id) while (await open()) await targets.reconcile();
      return exchange(bootstrapId, agentToken);
    };
    let status: number;
    try {
      const res = await fetch(`${h.server.url}/api/agents/exchange`, {
        method: 'POST',
        headers: { authorization: `token ${t.token}` },
      });
      status = res.status;
      const body = (await res.json()) as { token?: string };
      if (body.token) expect(await claim(body.token)).toBe(401);
    } finally {
      store.agents.exchange = exchange;
    }
    expect(status).toBe(401);
    expect(agentTokenId).not.toBeNull();
    // Revoked already: revoking it again does not count.
    expect(await store.revokeToken(agentTokenId ?? '', user.id)).toBe(false);
  }, 60_000);
});
