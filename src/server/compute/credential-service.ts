import { createHash } from 'node:crypto';
import {
  type Credential,
  CredentialSecret,
  type CredentialInput,
  type CredentialTest,
  GcpServiceAccount,
} from '../../contracts/compute.js';
import type { CredentialRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { SecretBox } from '../secrets.js';

/** Read-only provider calls by credential kind; swapped in tests for a recorded HTTP layer. */
export type CredentialChecker = (secret: CredentialSecret) => Promise<CredentialTest>;

function sshFingerprint(privateKey: string): string {
  return `sha256:${createHash('sha256').update(privateKey.trim()).digest('base64').slice(0, 16)}…`;
}

/** What identifies a credential without revealing it. */
export function summarize(secret: CredentialSecret): string {
  switch (secret.kind) {
    case 'aws':
      return `access key ${secret.accessKeyId.slice(0, 4)}…${secret.accessKeyId.slice(-4)}${secret.sessionToken ? ' (session)' : ''}`;
    case 'gcp': {
      const sa = parseServiceAccount(secret.serviceAccountJson);
      return `${sa.client_email} (project ${sa.project_id})`;
    }
    case 'azure':
      return `client ${secret.clientId} in tenant ${secret.tenantId}, subscription ${secret.subscriptionId}`;
    case 'kubernetes': {
      const ctx = /current-context:\s*"?([^"\n]+)"?/.exec(secret.kubeconfig)?.[1]?.trim();
      return ctx ? `kubeconfig, context ${ctx}` : 'kubeconfig';
    }
    case 'ssh':
      return `private key ${sshFingerprint(secret.privateKey)}`;
  }
}

export function parseServiceAccount(json: string): GcpServiceAccount {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ApiFailure('bad_request', 'the GCP service-account key is not JSON');
  }
  const r = GcpServiceAccount.safeParse(raw);
  if (!r.success)
    throw new ApiFailure(
      'bad_request',
      'the GCP key is not a service-account key file (type, project_id, client_email, private_key)',
    );
  return r.data;
}

function present(r: CredentialRecord): Credential {
  const kind = CredentialSecret.options.map((o) => o.shape.kind.value).find((k) => k === r.kind);
  if (!kind) throw new Error(`stored credential ${r.name} has unknown kind ${r.kind}`);
  return { name: r.name, kind, summary: r.summary, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

/** Stores credentials sealed; hands the opened secret only to compute backends, never to a route. */
export class CredentialService {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly check: CredentialChecker,
  ) {}

  async put(input: CredentialInput): Promise<Credential> {
    const summary = summarize(input.secret);
    const at = new Date().toISOString();
    const existing = await this.store.compute.getCredential(input.name);
    const rec: CredentialRecord = {
      name: input.name,
      kind: input.secret.kind,
      secretEnc: this.box.seal(JSON.stringify(input.secret)),
      summary,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    };
    await this.store.compute.putCredential(rec);
    return present(rec);
  }

  async list(): Promise<Credential[]> {
    return (await this.store.compute.listCredentials()).map(present);
  }

  async remove(name: string): Promise<void> {
    for (const p of await this.store.compute.listProfiles()) {
      const settings: unknown = JSON.parse(p.settingsJson);
      if (
        settings &&
        typeof settings === 'object' &&
        'credential' in settings &&
        settings.credential === name
      )
        throw new ApiFailure('conflict', `credential ${name} is used by compute profile ${p.name}`);
    }
    if (!(await this.store.compute.deleteCredential(name)))
      throw new ApiFailure('not_found', `no credential ${name}`);
  }

  /** The opened secret, for a backend. */
  async open(name: string): Promise<CredentialSecret> {
    const rec = await this.store.compute.getCredential(name);
    if (!rec) throw new ApiFailure('not_found', `no credential ${name}`);
    return CredentialSecret.parse(JSON.parse(this.box.open(rec.secretEnc)));
  }

  async test(name: string): Promise<CredentialTest> {
    const secret = await this.open(name);
    try {
      return await this.check(secret);
    } catch (err) {
      // The provider's message, never the secret: SDK errors don't echo credentials.
      return { ok: false, call: 'unknown', detail: err instanceof Error ? err.message : String(err) };
    }
  }
}
