import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudBackend } from './backend.js';
import { resolveMachine } from './catalog.js';
import { type Endpoints, gcpInstances, gcpZoneOperations } from './clients.js';
import { GcpProvider } from './gcp.js';

/**
 * A 127.0.0.1 stand-in for the Compute Engine REST API (v1): the client's REST transport sends
 * plain JSON, answered with the documented Operation, Instance and InstanceAggregatedList.
 */
interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  auth: string | undefined;
}
interface Inst {
  name: string;
  zone: string;
  status: string;
  labels: Record<string, string>;
}
const calls: Call[] = [];
const instances = new Map<string, Inst>();
let server: Server;
let port = 0;
let ops = 0;
const BASE = 'https://compute.googleapis.com/compute/v1/projects/proj-1';

function operation(zone: string, type: string, target: string, status = 'RUNNING') {
  return {
    kind: 'compute#operation',
    id: String(++ops),
    name: `operation-${ops}`,
    zone: `${BASE}/zones/${zone}`,
    operationType: type,
    targetLink: `${BASE}/zones/${zone}/instances/${target}`,
    status,
    progress: 0,
  };
}

function instance(i: Inst) {
  return {
    kind: 'compute#instance',
    id: '1234567890',
    name: i.name,
    zone: `${BASE}/zones/${i.zone}`,
    status: i.status,
    labels: i.labels,
    creationTimestamp: '2024-01-01T00:00:00.000-08:00',
    machineType: `${BASE}/zones/${i.zone}/machineTypes/n1-standard-4`,
  };
}

function answer(c: Call): [number, unknown] {
  const m = /^\/compute\/v1\/projects\/([^/]+)\/(?:zones\/([^/]+)\/)?(.*)$/.exec(c.path);
  if (!m || m[1] !== 'proj-1') return [404, { error: { code: 404, message: 'no such project' } }];
  const zone = m[2] ?? '';
  const rest = m[3] ?? '';
  if (c.method === 'POST' && rest === 'instances') {
    const b = c.body ?? {};
    const name = String(b.name);
    instances.set(`${zone}/${name}`, {
      name,
      zone,
      status: 'PROVISIONING',
      labels: (b.labels ?? {}) as Record<string, string>,
    });
    return [200, operation(zone, 'insert', name)];
  }
  const op = /^operations\/([^/]+)\/wait$/.exec(rest);
  if (c.method === 'POST' && op)
    return [200, { ...operation(zone, 'insert', ''), name: op[1], status: 'DONE' }];
  const one = /^instances\/([^/]+)$/.exec(rest);
  if (one) {
    const i = instances.get(`${zone}/${one[1]}`);
    if (!i)
      return [404, { error: { code: 404, message: `The resource 'instances/${one[1]}' was not found` } }];
    if (c.method === 'GET') return [200, instance(i)];
    if (c.method === 'DELETE') {
      instances.delete(`${zone}/${i.name}`);
      return [200, operation(zone, 'delete', i.name)];
    }
  }
  if (c.method === 'GET' && rest === 'aggregated/instances') {
    const f = /^labels\.kiln-install = "([^"]*)"$/.exec(c.query.get('filter') ?? '');
    const items: Record<string, { instances: unknown[] }> = {};
    for (const i of instances.values())
      if (!f || i.labels['kiln-install'] === f[1])
        (items[`zones/${i.zone}`] ??= { instances: [] }).instances.push(instance(i));
    return [
      200,
      { kind: 'compute#instanceAggregatedList', id: 'projects/proj-1/aggregated/instances', items },
    ];
  }
  return [404, { error: { code: 404, message: `no route ${c.method} ${c.path}` } }];
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const call: Call = {
        method: req.method ?? '',
        path: u.pathname,
        query: u.searchParams,
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null,
        auth: req.headers.authorization,
      };
      calls.push(call);
      const [code, body] = answer(call);
      res.statusCode = code;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const SECRET = {
  kind: 'gcp' as const,
  serviceAccountJson: JSON.stringify({
    type: 'service_account',
    project_id: 'proj-1',
    client_email: 'kiln@proj-1.iam.gserviceaccount.com',
    private_key: 'unused: the stand-in takes a ready token',
  }),
};

function provider(): GcpProvider {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'ya29.stand-in', expiry_date: Date.now() + 3600_000 });
  const ep: Endpoints = { gcp: { host: '127.0.0.1', port, authClient } };
  return new GcpProvider(gcpInstances(SECRET, ep), gcpZoneOperations(SECRET, ep), { project: 'proj-1' });
}

const machine = resolveMachine('gcp', {
  region: 'us-west',
  type: 'm+t4',
  diskGb: 100,
  spot: true,
  timeoutSec: 3600,
});

describe('contract: Compute Engine', () => {
  it('contract: instances.insert sends SPOT scheduling, the accelerator, the boot disk size, labels and the startup script', async () => {
    const inst = await provider().launch({
      name: 'kiln-GPU_1',
      machine,
      userData: '#!/bin/bash\necho hi\n',
      tags: { 'kiln-install': 'inst-a', 'kiln-profile': 'GPU.spot' },
    });
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/instances'));
    expect(post?.path).toBe('/compute/v1/projects/proj-1/zones/us-west1-b/instances');
    expect(post?.auth).toBe('Bearer ya29.stand-in');
    expect(post?.body).toMatchObject({
      name: 'kiln-gpu-1',
      machineType: 'zones/us-west1-b/machineTypes/n1-standard-4',
      labels: { 'kiln-install': 'inst-a', 'kiln-profile': 'gpu-spot' },
      scheduling: {
        provisioningModel: 'SPOT',
        instanceTerminationAction: 'DELETE',
        onHostMaintenance: 'TERMINATE',
        automaticRestart: false,
      },
      guestAccelerators: [
        { acceleratorType: 'zones/us-west1-b/acceleratorTypes/nvidia-tesla-t4', acceleratorCount: 1 },
      ],
      disks: [{ boot: true, autoDelete: true, initializeParams: { diskSizeGb: '100' } }],
      metadata: { items: [{ key: 'startup-script', value: '#!/bin/bash\necho hi\n' }] },
    });
    // The insert operation was waited on, so a spot stock-out fails the launch.
    expect(
      calls.some(
        (c) => c.path === '/compute/v1/projects/proj-1/zones/us-west1-b/operations/operation-1/wait',
      ),
    ).toBe(true);
    expect(inst).toMatchObject({ id: 'us-west1-b/kiln-gpu-1', zone: 'us-west1-b', state: 'pending' });
  });

  it('contract: instances.get and instances.delete; a deleted instance describes as null', async () => {
    const p = provider();
    expect(await p.describe('us-west1-b/kiln-gpu-1')).toMatchObject({
      id: 'us-west1-b/kiln-gpu-1',
      state: 'pending',
      tags: { 'kiln-install': 'inst-a' },
      launchedAt: '2024-01-01T08:00:00.000Z',
    });
    await p.terminate('us-west1-b/kiln-gpu-1');
    expect(calls.at(-1)).toMatchObject({
      method: 'DELETE',
      path: '/compute/v1/projects/proj-1/zones/us-west1-b/instances/kiln-gpu-1',
    });
    expect(await p.describe('us-west1-b/kiln-gpu-1')).toBeNull();
    await p.terminate('us-west1-b/kiln-gpu-1');
  });

  it('contract: the reconciler lists by label (aggregatedList) and deletes what no live run owns', async () => {
    const p = provider();
    const plain = resolveMachine('gcp', {
      region: 'eu-west',
      type: 's',
      diskGb: 20,
      spot: false,
      timeoutSec: 600,
    });
    const orphan = await p.launch({
      name: 'o',
      machine: plain,
      userData: '',
      tags: { 'kiln-install': 'inst-b', 'kiln-token': 't1' },
    });
    const owned = await p.launch({
      name: 'k',
      machine: plain,
      userData: '',
      tags: { 'kiln-install': 'inst-b', 'kiln-profile': 'cpu' },
    });
    const foreign = await p.launch({
      name: 'f',
      machine: plain,
      userData: '',
      tags: { 'kiln-install': 'other' },
    });
    const plainPost = calls.filter((c) => c.method === 'POST' && c.path.endsWith('/instances')).at(-1);
    expect(plainPost?.body).toMatchObject({
      scheduling: { provisioningModel: 'STANDARD', onHostMaintenance: 'MIGRATE' },
    });
    expect(plainPost?.body).not.toHaveProperty('guestAccelerators');
    const revoked: string[] = [];
    const b = new CloudBackend({
      provider: p,
      profile: 'cpu',
      install: 'inst-b',
      machine: plain,
      maxInstances: 2,
      idleTimeoutSec: 300,
      url: () => 'http://127.0.0.1:1',
      mintToken: async () => ({ id: 'x', token: 'y' }),
      revokeToken: async (id) => void revoked.push(id),
    });
    expect(await b.alive()).toBe(1);
    const killed = await b.reconcile((i) => i.id === owned.id);
    expect(killed).toEqual([orphan.id]);
    expect(revoked).toEqual(['t1']);
    expect(instances.has(owned.id)).toBe(true);
    expect(instances.has(foreign.id)).toBe(true);
    const list = calls.filter((c) => c.path.endsWith('/aggregated/instances')).at(-1);
    expect(list?.query.get('filter')).toBe('labels.kiln-install = "inst-b"');
  });
});
