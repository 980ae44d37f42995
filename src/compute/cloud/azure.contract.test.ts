import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureProvider } from './azure.js';
import { CloudBackend } from './backend.js';
import { resolveMachine } from './catalog.js';
import { azureCompute } from './clients.js';

/**
 * A 127.0.0.1 stand-in for Azure Resource Manager's Microsoft.Compute/virtualMachines API: a PUT
 * answers 201 `Creating` with an Azure-AsyncOperation to poll, as ARM does; GET, DELETE (202)
 * and the subscription-wide list answer the documented VirtualMachine JSON.
 */
interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  auth: string | undefined;
}
interface Vm {
  name: string;
  group: string;
  location: string;
  tags: Record<string, string>;
  state: string;
  power: string;
  properties: Record<string, unknown>;
}
const calls: Call[] = [];
const vms = new Map<string, Vm>();
let server: Server;
let base = '';
const SUB = '/subscriptions/sub-1';

function vmJson(v: Vm, instanceView: boolean) {
  return {
    id: `${SUB}/resourceGroups/${v.group}/providers/Microsoft.Compute/virtualMachines/${v.name}`,
    name: v.name,
    type: 'Microsoft.Compute/virtualMachines',
    location: v.location,
    tags: v.tags,
    properties: {
      ...v.properties,
      vmId: '00000000-0000-0000-0000-000000000001',
      provisioningState: v.state,
      timeCreated: '2024-01-01T00:00:00Z',
      ...(instanceView
        ? {
            instanceView: {
              statuses: [
                { code: `ProvisioningState/${v.state.toLowerCase()}`, level: 'Info' },
                { code: `PowerState/${v.power}`, level: 'Info' },
              ],
            },
          }
        : {}),
    },
  };
}

function answer(c: Call): [number, unknown, Record<string, string>?] {
  const op =
    /^\/subscriptions\/sub-1\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/([^/]+)$/.exec(
      c.path,
    );
  if (op && c.method === 'GET') {
    const v = vms.get(decodeURIComponent(op[1] ?? ''));
    if (v) v.state = 'Succeeded';
    return [200, { name: op[1], status: 'Succeeded', startTime: '2024-01-01T00:00:00Z' }];
  }
  if (c.path === `${SUB}/providers/Microsoft.Compute/virtualMachines` && c.method === 'GET')
    return [200, { value: [...vms.values()].map((v) => vmJson(v, false)) }];
  const m =
    /^\/subscriptions\/sub-1\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/.exec(
      c.path,
    );
  if (!m) return [404, { error: { code: 'NotFound', message: `no route ${c.path}` } }];
  const [, group = '', name = ''] = m;
  const key = `${group}/${name}`;
  if (c.method === 'PUT') {
    const b = c.body ?? {};
    const v: Vm = {
      name,
      group,
      location: String(b.location),
      tags: (b.tags ?? {}) as Record<string, string>,
      state: 'Creating',
      power: 'starting',
      properties: (b.properties ?? {}) as Record<string, unknown>,
    };
    vms.set(key, v);
    const async = `${base.replace('http:', 'https:')}${SUB}/providers/Microsoft.Compute/locations/${v.location}/operations/${encodeURIComponent(key)}?api-version=2025-04-01`;
    return [201, vmJson(v, false), { 'azure-asyncoperation': async, 'retry-after': '0' }];
  }
  const v = vms.get(key);
  if (!v)
    return [404, { error: { code: 'ResourceNotFound', message: `The Resource '${name}' was not found.` } }];
  if (c.method === 'GET') return [200, vmJson(v, c.query.get('$expand') === 'instanceView')];
  if (c.method === 'DELETE') {
    vms.delete(key);
    const async = `${base.replace('http:', 'https:')}${SUB}/providers/Microsoft.Compute/locations/${v.location}/operations/del-${name}?api-version=2025-04-01`;
    return [202, null, { 'azure-asyncoperation': async, location: async, 'retry-after': '0' }];
  }
  return [405, { error: { code: 'MethodNotAllowed', message: c.method } }];
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
      const [code, body, headers] = answer(call);
      res.statusCode = code;
      for (const [k, h] of Object.entries(headers ?? {})) res.setHeader(k, h);
      res.setHeader('content-type', 'application/json');
      res.end(body === null ? '' : JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A credential that hands out a fixed token: the stand-in checks it arrives as a bearer token. */
const credential: TokenCredential = {
  getToken: async () => ({ token: 'stand-in-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};
const SECRET = {
  kind: 'azure' as const,
  tenantId: 't',
  clientId: 'c',
  clientSecret: 's',
  subscriptionId: 'sub-1',
};
const SUBNET = `${SUB}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/default`;

function provider(): AzureProvider {
  return new AzureProvider(azureCompute(SECRET, { azure: { endpoint: base, credential } }), {
    resourceGroup: 'kiln',
    subnetId: SUBNET,
  });
}

const machine = resolveMachine('azure', {
  region: 'us-west',
  type: 'm+t4',
  diskGb: 120,
  spot: true,
  maxPrice: 0.4,
  timeoutSec: 3600,
});

describe('contract: Azure VMs', () => {
  it('contract: virtualMachines.beginCreateOrUpdate sends Spot priority, eviction Delete, max price, disk size, tags and customData', async () => {
    const inst = await provider().launch({
      name: 'kiln-gpu.1',
      machine,
      userData: '#!/bin/bash\necho hi\n',
      tags: { 'kiln-install': 'inst-a', 'kiln-profile': 'gpu' },
    });
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.path).toBe(
      `${SUB}/resourceGroups/kiln/providers/Microsoft.Compute/virtualMachines/kiln-gpu-1`,
    );
    expect(put?.query.get('api-version')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(put?.auth).toBe('Bearer stand-in-token');
    expect(put?.body).toMatchObject({
      location: 'westus2',
      tags: { 'kiln-install': 'inst-a', 'kiln-profile': 'gpu' },
      properties: {
        hardwareProfile: { vmSize: 'Standard_NC4as_T4_v3' },
        priority: 'Spot',
        evictionPolicy: 'Delete',
        billingProfile: { maxPrice: 0.4 },
        storageProfile: { osDisk: { createOption: 'FromImage', diskSizeGB: 120, deleteOption: 'Delete' } },
        osProfile: { adminUsername: 'kiln', linuxConfiguration: { disablePasswordAuthentication: true } },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              properties: {
                deleteOption: 'Delete',
                ipConfigurations: [{ properties: { subnet: { id: SUBNET } } }],
              },
            },
          ],
        },
      },
    });
    const os = (put?.body?.properties as { osProfile: { customData: string } }).osProfile;
    expect(Buffer.from(os.customData, 'base64').toString()).toBe('#!/bin/bash\necho hi\n');
    // The create was polled to its end through the Azure-AsyncOperation header.
    expect(calls.some((c) => c.method === 'GET' && c.path.includes('/operations/'))).toBe(true);
    expect(inst).toMatchObject({ id: 'kiln/kiln-gpu-1', zone: 'westus2', state: 'running' });
  });

  it('contract: get with instanceView gives the power state; delete; a deleted VM describes as null', async () => {
    const p = provider();
    expect(await p.describe('kiln/kiln-gpu-1')).toMatchObject({ state: 'pending' });
    const v = vms.get('kiln/kiln-gpu-1');
    if (v) v.power = 'running';
    expect(await p.describe('kiln/kiln-gpu-1')).toMatchObject({
      state: 'running',
      tags: { 'kiln-install': 'inst-a' },
      launchedAt: '2024-01-01T00:00:00.000Z',
    });
    if (v) v.power = 'stopped';
    expect(await p.describe('kiln/kiln-gpu-1')).toMatchObject({ state: 'stopping' });
    await p.terminate('kiln/kiln-gpu-1');
    expect(calls.filter((c) => c.method === 'DELETE').at(-1)?.path).toBe(
      `${SUB}/resourceGroups/kiln/providers/Microsoft.Compute/virtualMachines/kiln-gpu-1`,
    );
    expect(await p.describe('kiln/kiln-gpu-1')).toBeNull();
    await p.terminate('kiln/kiln-gpu-1');
  });

  it('contract: the reconciler lists the subscription, keeps other installs and live runs, deletes the rest', async () => {
    const p = provider();
    const plain = resolveMachine('azure', {
      region: 'eu-west',
      type: 's',
      diskGb: 30,
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
    const put = calls.filter((c) => c.method === 'PUT').at(-1);
    expect(put?.body?.properties).toMatchObject({ priority: 'Regular' });
    expect(put?.body?.properties).not.toHaveProperty('evictionPolicy');
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
    const killed = await b.reconcile((i) => i.id === owned.id);
    expect(killed).toEqual([orphan.id]);
    expect(revoked).toEqual(['t1']);
    expect(vms.has(owned.id)).toBe(true);
    expect(vms.has(foreign.id)).toBe(true);
  });

  it('contract: a profile without a subnet is refused before any call', async () => {
    const p = new AzureProvider(azureCompute(SECRET, { azure: { endpoint: base, credential } }), {
      resourceGroup: 'kiln',
    });
    const n = calls.length;
    await expect(p.launch({ name: 'x', machine, userData: '', tags: {} })).rejects.toThrow(/subnetId/);
    expect(calls.length).toBe(n);
  });
});
