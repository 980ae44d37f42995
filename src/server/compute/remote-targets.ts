import { AwsProvider } from '../../compute/cloud/aws.js';
import { AzureProvider } from '../../compute/cloud/azure.js';
import { CloudBackend } from '../../compute/cloud/backend.js';
import {
  azureCompute,
  ec2,
  gcpInstances,
  gcpZoneOperations,
  serviceAccount,
} from '../../compute/cloud/clients.js';
import { GcpProvider } from '../../compute/cloud/gcp.js';
import { type CloudProvider, TAG_PROFILE } from '../../compute/cloud/provider.js';
import { KubernetesBackend } from '../../compute/kubernetes/backend.js';
import {
  AwsSettings,
  AzureSettings,
  GcpSettings,
  KubernetesSettings,
} from '../../compute/profiles/settings.js';
import type { CloudKind, CredentialSecret, ResolvedMachine } from '../../contracts/compute.js';
import { ApiFailure } from '../api-error.js';
import { resolveWithin } from './profile-service.js';
import type { Target } from './target.js';

/** What a backend that starts machines needs from the server. */
export interface MachineDeps {
  /** The target: the profile, or a variant of it (`PROFILE~hash`) for another machine. */
  name: string;
  /** The profile its machines are tagged with; `name` when not given. */
  profile?: string;
  /** A variant's machine hash (tag `kiln-machine`). */
  machineTag?: string;
  /** The profile's machines over all its variants, and one launch decision at a time. */
  siblings?: { alive: () => Promise<number>; serial: <T>(f: () => Promise<T>) => Promise<T> };
  /** This Kiln's id, the label that marks its machines. */
  install: string;
  url: () => string;
  agentToken: () => Promise<{ id: string; token: string }>;
  revokeToken: (id: string) => Promise<void>;
  placed: (
    tokenId: string,
    id: string,
    detail: string,
    at?: { zone?: string | null; pricePerHour?: number | null },
  ) => Promise<void>;
}

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

/** Makes the provider of a cloud profile; the SDKs by default, a simulated cloud in tests. */
export type ProviderFactory = (
  kind: CloudKind,
  secret: CredentialSecret,
  settings: Record<string, unknown>,
  machine: ResolvedMachine,
) => CloudProvider;

export const sdkProviders: ProviderFactory = (kind, secret, raw, machine) => {
  switch (kind) {
    case 'aws': {
      const s = AwsSettings.parse(raw);
      if (!s.image)
        throw new ApiFailure(
          'bad_request',
          'an aws profile needs image: an AMI id in its region with Node 20 and git',
        );
      return new AwsProvider(ec2(credentialOf(secret, 'aws', s.credential), machine.region), {
        image: s.image,
        subnetId: s.subnetId,
        securityGroupId: s.securityGroupId,
      });
    }
    case 'gcp': {
      const s = GcpSettings.parse(raw);
      const gcp = credentialOf(secret, 'gcp', s.credential);
      return new GcpProvider(gcpInstances(gcp), gcpZoneOperations(gcp), {
        project: s.project ?? serviceAccount(gcp).project_id,
        image: s.image,
        network: s.network,
      });
    }
    case 'azure': {
      const s = AzureSettings.parse(raw);
      return new AzureProvider(azureCompute(credentialOf(secret, 'azure', s.credential)), {
        resourceGroup: s.resourceGroup,
        subnetId: s.subnetId,
        image: s.image,
      });
    }
  }
};

const CLOUD_SETTINGS = { aws: AwsSettings, gcp: GcpSettings, azure: AzureSettings } as const;

/**
 * One VM per agent with the profile's machine (its defaults, within its limits). VMs are not
 * retired after a run: an idle one takes the next queued run, and powers off after its idle
 * timeout; the reconciler ends the ones no run or agent needs.
 */
export async function cloudTarget(
  kind: CloudKind,
  raw: unknown,
  open: (credential: string) => Promise<CredentialSecret>,
  d: MachineDeps,
  providers: ProviderFactory = sdkProviders,
): Promise<Target> {
  const settings = CLOUD_SETTINGS[kind].parse(raw);
  const secret = credentialOf(await open(settings.credential), kind, settings.credential);
  const machine = resolveWithin(kind, settings, {});
  const provider = providers(kind, secret, settings, machine);
  const backend = new CloudBackend({
    provider,
    profile: d.profile ?? d.name,
    install: d.install,
    machine,
    machineTag: d.machineTag,
    siblings: d.siblings,
    maxInstances: settings.maxInstances,
    idleTimeoutSec: settings.idleTimeoutSec,
    image: settings.image,
    url: d.url,
    mintToken: d.agentToken,
    revokeToken: d.revokeToken,
    placed: d.placed,
    ...(provider.metadataUrl ? { script: { metadata: provider.metadataUrl } } : {}),
  });
  return {
    name: d.name,
    kind,
    backend,
    cap: settings.maxInstances,
    running: async (id) => {
      const i = await provider.describe(id);
      return i !== null && (i.state === 'pending' || i.state === 'running');
    },
    reconcile: (live) =>
      backend.reconcile((i) =>
        live(i.tags['kiln-token'] ?? null, Date.parse(i.launchedAt), i.tags[TAG_PROFILE]),
      ),
    machines: () => backend.machines(),
  };
}
