import { KubernetesBackend } from '../../compute/kubernetes/backend.js';
import { KubernetesSettings } from '../../compute/profiles/settings.js';
import type { CredentialSecret } from '../../contracts/compute.js';
import { ApiFailure } from '../api-error.js';
import type { Target } from './targets.js';

/** What a backend that starts machines needs from the server. */
export interface MachineDeps {
  name: string;
  /** This Kiln's id, the label that marks its machines. */
  install: string;
  url: () => string;
  agentToken: () => Promise<{ id: string; token: string }>;
  revokeToken: (id: string) => Promise<void>;
  placed: (tokenId: string, id: string, detail: string) => Promise<void>;
}

/**
 * Whether a machine is still wanted: `tokenId` is its agent token (from its labels), `createdMs`
 * when it was made. The server answers from its claimed runs and agents seen lately.
 */
export type Liveness = (tokenId: string | null, createdMs: number) => Promise<boolean>;

function credentialOf<K extends CredentialSecret['kind']>(
  secret: CredentialSecret,
  kind: K,
  name: string,
): Extract<CredentialSecret, { kind: K }> {
  if (secret.kind !== kind)
    throw new ApiFailure('bad_request', `credential ${name} is not a ${kind} credential`);
  return secret as Extract<CredentialSecret, { kind: K }>;
}

/** A Job per run: retire and cancel delete it, its status says whether it still runs. */
export async function kubernetesTarget(
  raw: unknown,
  open: (credential: string) => Promise<CredentialSecret>,
  d: MachineDeps,
): Promise<Target> {
  const settings = KubernetesSettings.parse(raw);
  const secret = credentialOf(await open(settings.credential), 'kubernetes', settings.credential);
  const backend = new KubernetesBackend({
    kubeconfig: secret.kubeconfig,
    settings,
    profile: d.name,
    install: d.install,
    url: d.url,
    agentToken: d.agentToken,
    revokeToken: d.revokeToken,
    placed: d.placed,
  });
  return {
    name: d.name,
    kind: 'kubernetes',
    backend,
    cap: settings.maxInstances,
    retire: (id) => backend.cancel(id).catch(() => undefined),
    running: (id) => backend.running(id),
    reconcile: (live) =>
      backend.reconcile((j) =>
        live(
          j.metadata?.labels?.['kiln-token'] ?? null,
          new Date(j.metadata?.creationTimestamp ?? 0).getTime(),
        ),
      ),
  };
}
