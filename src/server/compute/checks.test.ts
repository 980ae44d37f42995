import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeStandIn } from '../../../test/kubernetes-stand-in.js';
import { checkCredential } from './checks.js';

const kube = new KubeStandIn();
beforeAll(async () => {
  await kube.start();
});
afterAll(() => kube.close());

describe('contract: credential test calls', () => {
  it('contract: a kubeconfig is tested with GET /api/v1/namespaces, read-only', async () => {
    const r = await checkCredential({ kind: 'kubernetes', kubeconfig: kube.kubeconfig() });
    expect(r).toEqual({
      ok: true,
      call: 'GET /api/v1/namespaces',
      detail: '1 namespaces visible in context stand-in',
    });
    expect(kube.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/v1/namespaces']);
  });

  it('contract: a refused kubeconfig is a failed test with the server’s answer, not an error', async () => {
    const r = await checkCredential({
      kind: 'kubernetes',
      kubeconfig: kube.kubeconfig().replace('stand-in-token', 'bad'),
    });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/401/);
    expect(r.detail).not.toContain('bad');
  });
});
