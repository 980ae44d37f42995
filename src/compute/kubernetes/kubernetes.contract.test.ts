import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesSettings } from '../profiles/settings.js';
import { KubernetesBackend } from './backend.js';
import { KubeStandIn } from '../../../test/kubernetes-stand-in.js';

let api: KubeStandIn;
const revoked: string[] = [];
const placed: Array<[string, string, string]> = [];
let n = 0;

beforeAll(async () => {
  api = await new KubeStandIn().start();
});
afterAll(() => api.close());

function backend(profile = 'k8s', install = 'inst-a', extra: Record<string, unknown> = {}) {
  return new KubernetesBackend({
    kubeconfig: api.kubeconfig(),
    settings: KubernetesSettings.parse({
      credential: 'kc',
      namespace: 'ml',
      image: 'node:20-bookworm',
      cpu: '2',
      memory: '4Gi',
      gpus: 1,
      nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      serviceAccount: 'trainer',
      secretEnv: 'wandb,hf-token',
      maxInstances: 2,
      ...extra,
    }),
    profile,
    install,
    url: () => 'http://kiln.example:8080',
    agentToken: async () => ({ id: `tok-${++n}`, token: `secret-token-${n}` }),
    revokeToken: async (id) => void revoked.push(id),
    placed: async (...a) => void placed.push(a),
  });
}

describe('contract: Kubernetes', () => {
  it('contract: POST /apis/batch/v1/namespaces/{ns}/jobs sends the Job manifest, then its token Secret', async () => {
    const name = await backend().submit();
    const post = api.calls.find((c) => c.method === 'POST' && c.path === '/apis/batch/v1/namespaces/ml/jobs');
    expect(post?.body).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: 'ml',
        labels: { 'app.kubernetes.io/managed-by': 'kiln', 'kiln-install': 'inst-a', 'kiln-profile': 'k8s' },
      },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: 'trainer',
            nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' },
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
            containers: [
              {
                image: 'node:20-bookworm',
                envFrom: [{ secretRef: { name: 'wandb' } }, { secretRef: { name: 'hf-token' } }],
                resources: {
                  requests: { cpu: '2', memory: '4Gi' },
                  limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' },
                },
              },
            ],
          },
        },
      },
    });
    const text = JSON.stringify(post?.body);
    // The token is a Secret reference, never in the Job spec.
    expect(text).not.toContain('secret-token');
    expect(text).toContain('/api/compute/agent.mjs');
    expect(text).toContain('secretKeyRef');
    const secret = api.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/namespaces/ml/secrets');
    const job = api.jobs.get(`ml/${name}`)?.job;
    expect(secret?.body).toMatchObject({
      kind: 'Secret',
      metadata: { name: `${name}-token`, ownerReferences: [{ kind: 'Job', name, uid: job?.metadata?.uid }] },
      stringData: { token: `secret-token-${n}` },
    });
    expect(placed.at(-1)).toEqual([`tok-${n}`, name, `Kubernetes Job ml/${name}`]);
  });

  it('contract: GET of the Job gives its state; DELETE with propagationPolicy Background cancels it', async () => {
    const b = backend();
    const name = await b.submit();
    expect(await b.state(name)).toMatchObject({ phase: 'pending' });
    expect(await b.running(name)).toBe(true);
    const e = api.jobs.get(`ml/${name}`);
    if (e)
      e.job.status = {
        failed: 1,
        conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
      };
    expect(await b.state(name)).toMatchObject({ phase: 'failed' });
    expect(await b.running(name)).toBe(false);
    await b.cancel(name);
    const del = api.calls.filter((c) => c.method === 'DELETE').at(-1);
    expect(del?.path).toBe(`/apis/batch/v1/namespaces/ml/jobs/${name}`);
    const policy =
      del?.query.get('propagationPolicy') ??
      (del?.body as { propagationPolicy?: string } | null)?.propagationPolicy;
    expect(policy).toBe('Background');
    expect(revoked).toContain(`tok-${n}`);
    expect(await b.state(name)).toBeNull();
    expect(await b.running(name)).toBe(false);
    // A Job already gone is not an error.
    await b.cancel(name);
  });

  it('contract: list by label selector counts live Jobs up to the limit; the reconciler deletes orphans only', async () => {
    const b = backend('rec', 'inst-b');
    await b.ensureAgents(5);
    expect(await b.alive()).toBe(2);
    const list = api.calls
      .filter((c) => c.method === 'GET' && c.path === '/apis/batch/v1/namespaces/ml/jobs')
      .at(-1);
    expect(list?.query.get('labelSelector')).toBe(
      'app.kubernetes.io/managed-by=kiln,kiln-install=inst-b,kiln-profile=rec',
    );
    const foreign = await backend('rec', 'other').submit();
    const [keep, orphan] = (await b.jobs()).map((j) => j.metadata?.name ?? '');
    const killed = await b.reconcile((j) => j.metadata?.name === keep);
    expect(killed).toEqual([orphan]);
    expect(api.jobs.has(`ml/${keep}`)).toBe(true);
    expect(api.jobs.has(`ml/${foreign}`)).toBe(true);
    expect(api.jobs.has(`ml/${orphan}`)).toBe(false);
    await b.stop();
    expect(await b.alive()).toBe(0);
  });

  it('contract: a refused request (401) surfaces, and the minted token is revoked', async () => {
    const b = new KubernetesBackend({
      kubeconfig: api.kubeconfig().replace('stand-in-token', 'wrong'),
      settings: KubernetesSettings.parse({ credential: 'kc' }),
      profile: 'denied',
      install: 'inst-c',
      url: () => 'http://kiln.example:8080',
      agentToken: async () => ({ id: 'tok-denied', token: 't' }),
      revokeToken: async (id) => void revoked.push(id),
    });
    await expect(b.submit()).rejects.toThrow(/401/);
    expect(revoked).toContain('tok-denied');
  });

  it('contract: a pod stuck pulling its image (list pods by label) deletes its Job and backs off with the reason', async () => {
    const b = backend('stuck', 'inst-d');
    await b.ensureAgents(1);
    const [job] = (await b.jobs()).map((j) => j.metadata?.name ?? '');
    // A fresh pod may wait for its Secret or image a while: left alone.
    api.podWaiting.set(job ?? '', {
      reason: 'ErrImagePull',
      message: 'pull access denied',
      sinceMs: Date.now(),
    });
    expect(await b.clearStuck()).toEqual([]);
    api.podWaiting.set(job ?? '', {
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "nosuch:latest"',
      sinceMs: Date.now() - 120_000,
    });
    await expect(b.ensureAgents(2)).rejects.toThrow(/ImagePullBackOff.*nosuch/);
    const pods = api.calls
      .filter((c) => c.method === 'GET' && c.path === '/api/v1/namespaces/ml/pods')
      .at(-1);
    expect(pods?.query.get('labelSelector')).toBe(
      'app.kubernetes.io/managed-by=kiln,kiln-install=inst-d,kiln-profile=stuck',
    );
    expect(api.jobs.has(`ml/${job}`)).toBe(false);
    // Backing off: no new Job right away.
    await expect(b.ensureAgents(2)).rejects.toThrow(/ImagePullBackOff/);
    expect(await b.alive()).toBe(0);
  });
});
