import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TablePage } from '../../contracts/api.js';
import { LogPage } from '../../contracts/experiments.js';
import { KubeStandIn } from '../../../test/kubernetes-stand-in.js';
import { startRunServer } from '../../../test/test-harness.js';

/**
 * A `kind: kubernetes` profile end to end: the server talks to a Kubernetes API stand-in whose
 * "kubelet" runs each Job's container command here, so the real agent fetches itself from the
 * server, runs the demo project, and the Job is deleted when the run ends.
 */
const BUNDLE = path.resolve('dist/agent.mjs');
const kube = new KubeStandIn({
  run: true,
  env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
});
let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  await kube.start();
  h = await startRunServer();
  const ok = async (url: string, body: unknown) => {
    const r = await h.api('POST', url, body);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
  };
  await ok('/api/compute/credentials', {
    name: 'cluster-kc',
    secret: { kind: 'kubernetes', kubeconfig: kube.kubeconfig() },
  });
  await ok('/api/compute/profiles', {
    name: 'pods',
    kind: 'kubernetes',
    settings: { credential: 'cluster-kc', namespace: 'ml', cpu: '1', memory: '1Gi', maxInstances: 2 },
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await kube.close();
}, 60_000);

const jobs = () => [...kube.jobs.values()].map((e) => e.job.metadata?.name ?? '');

async function until(what: string, f: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function run(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name,
    target: 'pods',
    ...extra,
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
}

describe.skipIf(!existsSync(BUNDLE))('runs on a kubernetes profile', () => {
  it('the demo project runs in a Job, which is deleted when the run ends', async () => {
    await run('on-k8s', { set: ['train.lr=0.004'] });
    const e = await h.waitFor('on-k8s');
    const logs = LogPage.parse((await h.api('GET', '/api/projects/demo/experiments/on-k8s/logs')).json);
    expect(e.status, logs.chunks.map((c) => c.text).join('')).toBe('succeeded');
    expect(e.resultCommit).toMatch(/^[0-9a-f]{40}$/);
    const table = TablePage.parse((await h.api('GET', '/api/projects/demo/table')).json);
    expect(table.rows.find((x) => x.name === 'on-k8s')?.metrics).not.toEqual({});
    expect(e.placement).toMatchObject({ target: 'kubernetes', profile: 'pods' });
    const job = e.placement?.id ?? '';
    expect(job).toMatch(/^kiln-pods-[0-9a-f]{8}$/);
    expect(e.placement?.detail).toContain(`Kubernetes Job ml/${job}`);
    await until('the Job to be deleted', () => !jobs().includes(job));
    const del = kube.calls.find((c) => c.method === 'DELETE' && c.path.endsWith(`/jobs/${job}`));
    expect(del?.query.get('propagationPolicy')).toBe('Background');
  }, 240_000);

  it('cancel deletes the Job', async () => {
    await run('k8s-cancel', { script: 'echo started; sleep 120\n' });
    const running = await h.waitFor('k8s-cancel', (x) => x.status === 'running', 120_000);
    const job = running.placement?.id ?? '';
    expect(jobs()).toContain(job);
    expect((await h.api('POST', '/api/projects/demo/experiments/k8s-cancel/cancel')).status).toBe(200);
    expect((await h.waitFor('k8s-cancel', undefined, 60_000)).status).toBe('cancelled');
    await until('the Job to be deleted', () => !jobs().includes(job));
  }, 240_000);

  it('a pod that fails without its agent reporting makes the run lost, before the lease ends', async () => {
    await run('k8s-lost', { script: 'echo started; sleep 120\n' });
    const running = await h.waitFor('k8s-lost', (x) => x.status === 'running', 120_000);
    const job = running.placement?.id ?? '';
    kube.crash(job);
    const e = await h.waitFor('k8s-lost', undefined, 25_000);
    expect(e.status).toBe('lost');
    expect(e.error).toContain(`Kubernetes Job ml/${job}`);
  }, 240_000);

  it('the reconciler deletes a labelled Job no run owns, and leaves young ones', async () => {
    const targets = h.server.runs.targets;
    const install = await targets.install();
    const labels = {
      'app.kubernetes.io/managed-by': 'kiln',
      'kiln-install': install,
      'kiln-profile': 'pods',
    };
    const orphan = await fetch(`${kube.url}/apis/batch/v1/namespaces/ml/jobs`, {
      method: 'POST',
      headers: { authorization: 'Bearer stand-in-token', 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'kiln-pods-orphan', labels: { ...labels, 'kiln-token': 'gone' } },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'x' }] } } },
      }),
    });
    expect(orphan.status).toBe(201);
    // Freshly made: inside the grace period, so kept.
    expect(await targets.reconcile()).toEqual([]);
    const e = kube.jobs.get('ml/kiln-pods-orphan');
    if (e?.job.metadata) e.job.metadata.creationTimestamp = new Date(Date.now() - 3600_000);
    expect(await targets.reconcile()).toEqual(['kiln-pods-orphan']);
    expect(jobs()).not.toContain('kiln-pods-orphan');
  });
});
