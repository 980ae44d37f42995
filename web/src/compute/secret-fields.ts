import { CredentialSecret, type CredentialKind } from '../../../src/contracts/compute.js';

export interface SecretField {
  key: string;
  label: string;
  multiline?: boolean;
  optional?: boolean;
  password?: boolean;
}

export const SECRET_FIELDS: Record<CredentialKind, SecretField[]> = {
  aws: [
    { key: 'accessKeyId', label: 'Access key ID' },
    { key: 'secretAccessKey', label: 'Secret access key', password: true },
    { key: 'sessionToken', label: 'Session token', password: true, optional: true },
    {
      key: 'endpoints',
      label: 'S3-compatible endpoints it may be sent to (URLs, space-separated; empty: AWS only)',
      optional: true,
    },
  ],
  gcp: [{ key: 'serviceAccountJson', label: 'Service-account JSON key', multiline: true }],
  azure: [
    { key: 'tenantId', label: 'Tenant ID' },
    { key: 'clientId', label: 'Client ID' },
    { key: 'clientSecret', label: 'Client secret', password: true },
    { key: 'subscriptionId', label: 'Subscription ID' },
  ],
  kubernetes: [{ key: 'kubeconfig', label: 'Kubeconfig', multiline: true }],
  ssh: [
    { key: 'privateKey', label: 'Private key', multiline: true },
    { key: 'passphrase', label: 'Passphrase', password: true, optional: true },
  ],
};

export const KIND_NAMES: Record<CredentialKind, string> = {
  aws: 'AWS',
  gcp: 'GCP',
  azure: 'Azure',
  kubernetes: 'Kubernetes',
  ssh: 'SSH key',
};

/** The secret to send, validated as the server will; errors name the field. */
export function toSecret(
  kind: CredentialKind,
  values: Readonly<Record<string, string>>,
): { secret: CredentialSecret | null; errors: Record<string, string> } {
  const raw: Record<string, string> = { kind };
  for (const f of SECRET_FIELDS[kind]) {
    const v = f.multiline ? (values[f.key] ?? '') : (values[f.key] ?? '').trim();
    if (v.trim() !== '') raw[f.key] = v;
  }
  const parsed = CredentialSecret.safeParse(raw);
  if (parsed.success) return { secret: parsed.data, errors: {} };
  const errors: Record<string, string> = {};
  for (const i of parsed.error.issues) {
    const k = i.path[0];
    if (typeof k === 'string') errors[k] ??= raw[k] === undefined ? 'required' : i.message;
  }
  return { secret: null, errors };
}
