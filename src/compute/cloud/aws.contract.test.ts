import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsProvider } from './aws.js';
import { CloudBackend } from './backend.js';
import { resolveMachine } from './catalog.js';

/**
 * A 127.0.0.1 stand-in for the EC2 Query API: requests are form-encoded `Action=…` POSTs,
 * answers are the XML documented for RunInstances, DescribeInstances and TerminateInstances.
 */
interface Inst {
  id: string;
  state: string;
  tags: Record<string, string>;
}
const calls: Array<Record<string, string>> = [];
const instances = new Map<string, Inst>();
let server: Server;
let endpoint = '';

const NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
function item(i: Inst): string {
  const tags = Object.entries(i.tags)
    .map(([k, v]) => `<item><key>${k}</key><value>${v}</value></item>`)
    .join('');
  return `<item><instanceId>${i.id}</instanceId><instanceType>m5.large</instanceType><placement><availabilityZone>us-west-1b</availabilityZone></placement><instanceState><code>16</code><name>${i.state}</name></instanceState><launchTime>2024-01-01T00:00:00.000Z</launchTime><tagSet>${tags}</tagSet></item>`;
}

function answer(p: Record<string, string>): string {
  const action = p.Action ?? '';
  if (action === 'RunInstances') {
    const id = `i-${(instances.size + 1).toString(16).padStart(17, '0')}`;
    const tags: Record<string, string> = {};
    for (let n = 1; p[`TagSpecification.1.Tag.${n}.Key`]; n++)
      tags[p[`TagSpecification.1.Tag.${n}.Key`] ?? ''] = p[`TagSpecification.1.Tag.${n}.Value`] ?? '';
    const i = { id, state: 'pending', tags };
    instances.set(id, i);
    return `<RunInstancesResponse ${NS}><requestId>r1</requestId><reservationId>r-1</reservationId><instancesSet>${item(i)}</instancesSet></RunInstancesResponse>`;
  }
  if (action === 'DescribeInstances') {
    const want = p['InstanceId.1'];
    const install = p['Filter.1.Name'] === 'tag:kiln-install' ? p['Filter.1.Value.1'] : undefined;
    const list = [...instances.values()].filter(
      (i) =>
        (!want || i.id === want) &&
        (install === undefined || (i.tags['kiln-install'] === install && i.state !== 'terminated')),
    );
    return `<DescribeInstancesResponse ${NS}><requestId>r2</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet>${list.map(item).join('')}</instancesSet></item></reservationSet></DescribeInstancesResponse>`;
  }
  if (action === 'TerminateInstances') {
    const id = p['InstanceId.1'] ?? '';
    const i = instances.get(id);
    if (i) i.state = 'terminated';
    return `<TerminateInstancesResponse ${NS}><requestId>r3</requestId><instancesSet><item><instanceId>${id}</instanceId><currentState><code>32</code><name>shutting-down</name></currentState><previousState><code>16</code><name>running</name></previousState></item></instancesSet></TerminateInstancesResponse>`;
  }
  return '';
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const p = Object.fromEntries(new URLSearchParams(body));
      calls.push(p);
      res.setHeader('content-type', 'text/xml');
      res.end(answer(p));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function provider(): AwsProvider {
  const ec2 = new EC2Client({
    region: 'us-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  return new AwsProvider(ec2, { image: 'ami-0123456789abcdef0' });
}

const machine = resolveMachine('aws', {
  region: 'us-west',
  type: 'm',
  diskGb: 100,
  spot: true,
  maxPrice: 0.2,
  timeoutSec: 3600,
});

describe('contract: EC2', () => {
  it('contract: RunInstances sends spot market options, the root volume size and Kiln tags', async () => {
    const inst = await provider().launch({
      name: 'kiln-gpu-1',
      machine,
      userData: '#!/bin/sh\necho hi\n',
      tags: { 'kiln-install': 'inst-a', 'kiln-profile': 'gpu' },
    });
    const p = calls.find((c) => c.Action === 'RunInstances') ?? {};
    expect(p).toMatchObject({
      ImageId: 'ami-0123456789abcdef0',
      InstanceType: machine.type,
      MinCount: '1',
      MaxCount: '1',
      'InstanceMarketOptions.MarketType': 'spot',
      'InstanceMarketOptions.SpotOptions.SpotInstanceType': 'one-time',
      'InstanceMarketOptions.SpotOptions.MaxPrice': '0.2',
      'BlockDeviceMapping.1.Ebs.VolumeSize': '100',
      'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'true',
      InstanceInitiatedShutdownBehavior: 'terminate',
      'TagSpecification.1.ResourceType': 'instance',
    });
    expect(Buffer.from(p.UserData ?? '', 'base64').toString()).toContain('echo hi');
    expect(inst).toMatchObject({ state: 'pending', zone: 'us-west-1b' });
    expect(inst.tags).toMatchObject({ 'kiln-install': 'inst-a', Name: 'kiln-gpu-1' });
  });

  it('contract: DescribeInstances and TerminateInstances', async () => {
    const p = provider();
    const [first] = [...instances.keys()];
    expect(await p.describe(first ?? '')).toMatchObject({ id: first, state: 'pending' });
    await p.terminate(first ?? '');
    expect(calls.at(-1)).toMatchObject({ Action: 'TerminateInstances', 'InstanceId.1': first });
    expect(await p.describe(first ?? '')).toMatchObject({ state: 'terminated' });
  });

  it('contract: the reconciler terminates tagged instances no live run owns, and no others', async () => {
    const p = provider();
    const orphan = await p.launch({
      name: 'o',
      machine,
      userData: '',
      tags: { 'kiln-install': 'inst-b', 'kiln-token': 't1' },
    });
    const owned = await p.launch({ name: 'k', machine, userData: '', tags: { 'kiln-install': 'inst-b' } });
    const foreign = await p.launch({ name: 'f', machine, userData: '', tags: { 'kiln-install': 'other' } });
    const revoked: string[] = [];
    const b = new CloudBackend({
      provider: p,
      profile: 'gpu',
      install: 'inst-b',
      machine,
      maxInstances: 2,
      idleTimeoutSec: 300,
      url: () => 'http://127.0.0.1:1',
      mintToken: async () => ({ id: 'x', token: 'y' }),
      revokeToken: async (id) => void revoked.push(id),
    });
    const killed = await b.reconcile((i) => i.id === owned.id);
    expect(killed).toEqual([orphan.id]);
    expect(revoked).toEqual(['t1']);
    expect(instances.get(owned.id)?.state).toBe('pending');
    expect(instances.get(foreign.id)?.state).toBe('pending');
    const filter = calls.filter((c) => c.Action === 'DescribeInstances').at(-1);
    expect(filter).toMatchObject({ 'Filter.1.Name': 'tag:kiln-install', 'Filter.1.Value.1': 'inst-b' });
  });
});
