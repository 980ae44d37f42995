import type { V1Job, V1Secret } from '@kubernetes/client-node';
import type { SettingsOf } from '../profiles/settings.js';

/** Labels every Kiln Job carries; the reconciler lists by `kiln-install`. */
export const LABEL_MANAGED = 'app.kubernetes.io/managed-by';
export const LABEL_INSTALL = 'kiln-install';
export const LABEL_PROFILE = 'kiln-profile';
export const LABEL_TOKEN = 'kiln-token';
/** The key of the agent token in its Secret. */
export const TOKEN_KEY = 'token';

export interface JobSpecInput {
  name: string;
  settings: SettingsOf<'kubernetes'>;
  install: string;
  profile: string;
  /** Id of the agent token (a label, so the reconciler can revoke it); never the token itself. */
  tokenId: string;
  /** The agent startup script run by the container's shell. */
  script: string;
}

/** A label value is at most 63 of `[A-Za-z0-9_.-]`, starting and ending alphanumeric. */
export function labelValue(v: string): string {
  const s = v.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
  return s.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'x';
}

export function jobLabels(install: string, profile: string): Record<string, string> {
  return {
    [LABEL_MANAGED]: 'kiln',
    [LABEL_INSTALL]: labelValue(install),
    [LABEL_PROFILE]: labelValue(profile),
  };
}

/** The label selector of this install's Jobs, or one profile's. */
export function selector(install: string, profile?: string): string {
  const parts = [`${LABEL_MANAGED}=kiln`, `${LABEL_INSTALL}=${labelValue(install)}`];
  if (profile !== undefined) parts.push(`${LABEL_PROFILE}=${labelValue(profile)}`);
  return parts.join(',');
}

export function secretName(jobName: string): string {
  return `${jobName}-token`;
}

/**
 * One agent as a Job: never retried (a failed pod is a lost run, not a second agent), the agent
 * token read from a Secret, the profile's Secrets as environment by reference, resources as
 * requests and limits (GPUs as `nvidia.com/gpu` limits), and a deadline from the profile.
 */
export function jobManifest(o: JobSpecInput): V1Job {
  const s = o.settings;
  const labels = { ...jobLabels(o.install, o.profile), [LABEL_TOKEN]: labelValue(o.tokenId) };
  const limits: Record<string, string> = { cpu: s.cpu, memory: s.memory };
  if (s.gpus > 0) limits['nvidia.com/gpu'] = String(s.gpus);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: o.name, namespace: s.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: s.maxTimeoutSec,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(s.serviceAccount ? { serviceAccountName: s.serviceAccount } : {}),
          ...(Object.keys(s.nodeSelector).length ? { nodeSelector: s.nodeSelector } : {}),
          ...(s.tolerations.length ? { tolerations: s.tolerations } : {}),
          volumes: [{ name: 'work', emptyDir: {} }],
          containers: [
            {
              name: 'agent',
              image: s.image,
              command: ['bash', '-c', o.script],
              env: [
                {
                  name: 'KILN_TOKEN',
                  valueFrom: { secretKeyRef: { name: secretName(o.name), key: TOKEN_KEY } },
                },
                { name: 'KILN_DIR', value: '/kiln' },
              ],
              ...(s.secretEnv.length
                ? { envFrom: s.secretEnv.map((name) => ({ secretRef: { name } })) }
                : {}),
              resources: { requests: { cpu: s.cpu, memory: s.memory }, limits },
              volumeMounts: [{ name: 'work', mountPath: '/kiln' }],
            },
          ],
        },
      },
    },
  };
}

/** The agent token's Secret, owned by its Job so Kubernetes deletes it with the Job. */
export function tokenSecret(job: V1Job, token: string): V1Secret {
  const name = job.metadata?.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: secretName(name),
      namespace: job.metadata?.namespace ?? 'default',
      labels: job.metadata?.labels ?? {},
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name,
          uid: job.metadata?.uid ?? '',
          blockOwnerDeletion: false,
        },
      ],
    },
    stringData: { [TOKEN_KEY]: token },
  };
}
