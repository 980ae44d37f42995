import { createServer, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';
let s: TestServer;
let k8s: Server;
let k8sUrl = '';
const seen: string[] = [];

beforeAll(async () => {
  s = await startTestServer();
  // A stand-in API server answering GET /api/v1/namespaces with the documented NamespaceList.
  k8s = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer k8s-token') {
      res.writeHead(401).end('{"kind":"Status","code":401,"message":"Unauthorized"}');
      return;
    }
    res.end(
      JSON.stringify({
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: {},
        items: [{ metadata: { name: 'default' } }, { metadata: { name: 'ml' } }],
      }),
    );
  });
  await new Promise<void>((r) => k8s.listen(0, '127.0.0.1', r));
  const a = k8s.address();
  k8sUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await s.close();
  k8s.close();
});

const kubeconfig = (token: string) => `apiVersion: v1
kind: Config
current-context: lab
clusters: [{name: lab, cluster: {server: "${k8sUrl}", insecure-skip-tls-verify: true}}]
users: [{name: me, user: {token: ${token}}}]
contexts: [{name: lab, context: {cluster: lab, user: me}}]
`;

describe('compute credentials', () => {
  it('stores secrets sealed, never returns or logs them', async () => {
    const r = await s.api('POST', '/api/compute/credentials', {
      name: 'aws-main',
      secret: { kind: 'aws', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET },
    });
    expect(r.status).toBe(201);
    expect(JSON.stringify(r.json)).not.toContain(SECRET);
    expect(r.json).toMatchObject({ name: 'aws-main', kind: 'aws', summary: 'access key AKIA…MPLE' });
    const list = await s.api('GET', '/api/compute/credentials');
    expect(JSON.stringify(list.json)).not.toContain(SECRET);
    const db = new Database(path.join(s.home, 'kiln.db'), { readonly: true });
    const dump = JSON.stringify(db.prepare('select * from compute_credentials').all());
    db.close();
    expect(dump).toContain('aws-main');
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain('wJalrX');
  });

  it('refuses malformed credentials and non-admin tokens', async () => {
    const bad = await s.api('POST', '/api/compute/credentials', {
      name: 'x',
      secret: { kind: 'aws', accessKeyId: 'nope', secretAccessKey: 's' },
    });
    expect(bad.status).toBe(400);
    const gcp = await s.api('POST', '/api/compute/credentials', {
      name: 'g',
      secret: { kind: 'gcp', serviceAccountJson: '{"type":"user"}' },
    });
    expect(gcp.status).toBe(400);
    const anon = await s.api('GET', '/api/compute/credentials', undefined, { authorization: 'token nope' });
    expect(anon.status).toBe(401);
  });

  it('tests a kubeconfig with a read-only call to the API server', async () => {
    await s.api('POST', '/api/compute/credentials', {
      name: 'lab',
      secret: { kind: 'kubernetes', kubeconfig: kubeconfig('k8s-token') },
    });
    const ok = await s.api('POST', '/api/compute/credentials/lab/test');
    expect(ok.json).toEqual({
      ok: true,
      call: 'GET /api/v1/namespaces',
      detail: '2 namespaces visible in context lab',
    });
    await s.api('POST', '/api/compute/credentials', {
      name: 'lab-bad',
      secret: { kind: 'kubernetes', kubeconfig: kubeconfig('wrong') },
    });
    const bad = await s.api('POST', '/api/compute/credentials/lab-bad/test');
    expect(bad.status).toBe(200);
    expect(bad.json).toMatchObject({ ok: false });
    expect(seen.some((l) => l.startsWith('GET /api/v1/namespaces?limit=100 Bearer k8s-token'))).toBe(true);
  });

  it('tests an SSH key by parsing it', async () => {
    // A key made here: parsing one needs no sshd (a clean clone has no /tmp/kiln-sshd).
    const key = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    await s.api('POST', '/api/compute/credentials', {
      name: 'ssh-key',
      secret: { kind: 'ssh', privateKey: key },
    });
    expect((await s.api('POST', '/api/compute/credentials/ssh-key/test')).json).toMatchObject({ ok: true });
    await s.api('POST', '/api/compute/credentials', {
      name: 'ssh-bad',
      secret: { kind: 'ssh', privateKey: 'not a key' },
    });
    expect((await s.api('POST', '/api/compute/credentials/ssh-bad/test')).json).toMatchObject({ ok: false });
  });
});

describe('compute profiles', () => {
  it('adds, lists, resolves within limits and removes', async () => {
    const add = await s.api('POST', '/api/compute/profiles', {
      name: 'gpu-spot',
      kind: 'aws',
      settings: {
        credential: 'aws-main',
        region: 'us-west',
        type: 'm+t4',
        diskGb: 100,
        spot: true,
        idleTimeoutSec: 300,
        maxInstances: 4,
        maxTimeoutSec: 7200,
      },
    });
    expect(add.status).toBe(201);
    expect(add.json).toMatchObject({
      resolved: { region: 'us-west-1', type: 'g4dn.xlarge', pricePerHour: 0.526, estimate: 1.052 },
    });
    const slurm = await s.api('POST', '/api/compute/profiles', {
      name: 'cluster',
      kind: 'slurm',
      settings: { partition: 'gpu', cpus: 8, gpus: 1, timeLimitMin: 720 },
    });
    expect(slurm.status).toBe(201);
    const dup = await s.api('POST', '/api/compute/profiles', {
      name: 'cluster',
      kind: 'slurm',
      settings: {},
    });
    expect(dup.status).toBe(409);
    // This server's runs are the target local, with its own concurrency: no second local pool.
    const local = await s.api('POST', '/api/compute/profiles', { name: 'here', kind: 'local', settings: {} });
    expect(local.status).toBe(400);
    expect((local.json as { error: string }).error).toMatch(/^runs on this server need no profile/);
    const bad = await s.api('POST', '/api/compute/profiles', {
      name: 'b',
      kind: 'slurm',
      settings: { cpus: 'many' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('cpus');
    const noCred = await s.api('POST', '/api/compute/profiles', {
      name: 'c',
      kind: 'gcp',
      settings: { credential: 'aws-main' },
    });
    expect(noCred.status).toBe(400);
    const list = await s.api('GET', '/api/compute/profiles');
    expect(list.json).toMatchObject({ profiles: [{ name: 'cluster' }, { name: 'gpu-spot' }] });
    const r = await s.api('POST', '/api/compute/resolve', {
      profile: 'gpu-spot',
      overrides: { region: 'eu-west', type: 'xl', timeoutSec: 3600 },
    });
    expect(r.json).toMatchObject({ region: 'eu-west-1', type: 'm5.16xlarge', estimate: 3.072 });
    const over = await s.api('POST', '/api/compute/resolve', {
      profile: 'gpu-spot',
      overrides: { timeoutSec: 99999 },
    });
    expect(over.status).toBe(400);
    expect((await s.api('DELETE', '/api/compute/credentials/aws-main')).status).toBe(409);
    expect((await s.api('DELETE', '/api/compute/profiles/gpu-spot')).status).toBe(204);
    expect((await s.api('DELETE', '/api/compute/credentials/aws-main')).status).toBe(204);
  });
});
