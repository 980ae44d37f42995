/**
 * Compute contracts: credentials, compute profiles and machine resolution, shared by server,
 * CLI and web.
 *
 * Routes (all `admin` unless noted; errors are `{error, code, detail?}` as everywhere):
 * - `GET    /api/compute/credentials` → {@link CredentialList} (never any secret, only a summary)
 * - `POST   /api/compute/credentials` body {@link CredentialInput} → {@link Credential} (201; replaces one of the same name)
 * - `DELETE /api/compute/credentials/:name` → 204; 409 while a profile uses it
 * - `POST   /api/compute/credentials/:name/test` → {@link CredentialTest}: a read-only provider call
 * - `GET    /api/compute/profiles` (`user`) → {@link ComputeProfileList}
 * - `POST   /api/compute/profiles` body {@link ComputeProfileInput} → {@link ComputeProfile} (201; 409 if the name exists)
 * - `DELETE /api/compute/profiles/:name` → 204
 * - `POST   /api/compute/resolve` (`user`) body {@link ResolveRequest} → {@link ResolvedMachine}: what the
 *   Run form shows for a profile with the user's overrides (native region/type, GPU, hourly price, estimate)
 * - `POST   /api/agents/exchange` (a cloud VM's one-time bootstrap token, 30 min) → `{token, id}`: the
 *   VM's agent token; the bootstrap token is spent at once, so the user data holds a dead one
 * - `POST   /api/agents/revoke` (`agent`) → 204: the agent's machine is going away; its token ends
 * - `GET    /api/compute/local` (`user`) → {@link LocalCompute}: local runs at once, and whether this
 *   server's jobs run sandboxed (`PUT` with `{concurrency}`: admin)
 */
import { z } from 'zod';

/** Whether jobs are sandboxed on a machine, and what that means, in words. */
export const JobIsolation = z.object({ sandboxed: z.boolean(), detail: z.string() });
export type JobIsolation = z.infer<typeof JobIsolation>;

export const LocalCompute = z.object({ concurrency: z.number().int(), isolation: JobIsolation });
export type LocalCompute = z.infer<typeof LocalCompute>;

export const ComputeKind = z.enum(['local', 'ssh', 'slurm', 'kubernetes', 'aws', 'gcp', 'azure']);
export type ComputeKind = z.infer<typeof ComputeKind>;

export const CloudKind = z.enum(['aws', 'gcp', 'azure']);
export type CloudKind = z.infer<typeof CloudKind>;

/** A credential or profile name: also its id in URLs. */
export const ComputeName = z
  .string()
  .min(1, 'name is empty')
  .max(64, 'name is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'name may hold letters, digits, ".", "_" and "-" only');
export type ComputeName = z.infer<typeof ComputeName>;

const secret = (max = 10_000) => z.string().min(1).max(max);

const isHttpUrl = (u: string) => {
  try {
    return /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
};
/** Space-separated http(s) URLs. */
export const S3Endpoints = z
  .string()
  .max(2000)
  .refine((v) => v.split(/\s+/).filter(Boolean).every(isHttpUrl), {
    message: 'endpoints must be http:// or https:// URLs, separated by spaces',
  });

/** Whether a stored AWS credential may be sent to `endpointUrl` (unset: AWS itself). */
export function endpointAllowed(endpoints: string | undefined, endpointUrl: string | undefined): boolean {
  if (endpointUrl === undefined) return true;
  const origin = (u: string) => {
    try {
      return new URL(u).origin;
    } catch {
      return null;
    }
  };
  const want = origin(endpointUrl);
  return (endpoints ?? '').split(/\s+/).some((e) => e !== '' && want !== null && origin(e) === want);
}

/** What an admin enters; sealed at rest and never returned. */
export const CredentialSecret = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('aws'),
    accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'not an AWS access key id'),
    secretAccessKey: secret(),
    sessionToken: secret().optional(),
    /**
     * S3-compatible endpoints (MinIO, Ceph…) these keys may be sent to, space-separated; without
     * it, only AWS's own. A repository's `endpointurl` elsewhere gets no keys from the server.
     */
    endpoints: S3Endpoints.optional(),
  }),
  z.object({ kind: z.literal('gcp'), serviceAccountJson: secret(100_000) }),
  z.object({
    kind: z.literal('azure'),
    tenantId: z.string().min(1).max(100),
    clientId: z.string().min(1).max(100),
    clientSecret: secret(),
    subscriptionId: z.string().min(1).max(100),
  }),
  z.object({ kind: z.literal('kubernetes'), kubeconfig: secret(1_000_000) }),
  z.object({ kind: z.literal('ssh'), privateKey: secret(100_000), passphrase: secret().optional() }),
]);
export type CredentialSecret = z.infer<typeof CredentialSecret>;
export type CredentialKind = CredentialSecret['kind'];

/** The parts of a GCP service-account key file Kiln needs. */
export const GcpServiceAccount = z.object({
  type: z.literal('service_account'),
  project_id: z.string().min(1),
  client_email: z.string().min(1),
  private_key: z.string().min(1),
});
export type GcpServiceAccount = z.infer<typeof GcpServiceAccount>;

export const CredentialInput = z.object({ name: ComputeName, secret: CredentialSecret });
export type CredentialInput = z.infer<typeof CredentialInput>;

/** A stored credential as shown: no secret, only what identifies it (key id, account, fingerprint). */
export const Credential = z.object({
  name: ComputeName,
  kind: z.enum(['aws', 'gcp', 'azure', 'kubernetes', 'ssh']),
  summary: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Credential = z.infer<typeof Credential>;
export const CredentialList = z.object({ credentials: z.array(Credential) });
export type CredentialList = z.infer<typeof CredentialList>;

/** The outcome of a read-only provider call; a failed check is data, not an HTTP error. */
export const CredentialTest = z.object({
  ok: z.boolean(),
  /** What was called, and what it said (region count, namespace count, account, …) or why it failed. */
  detail: z.string(),
  /** The call made, e.g. `ec2:DescribeRegions`. */
  call: z.string(),
});
export type CredentialTest = z.infer<typeof CredentialTest>;

/** Synthetic regions CML understands on every cloud. */
export const SyntheticRegion = z.enum(['us-east', 'us-west', 'eu-north', 'eu-west']);
export type SyntheticRegion = z.infer<typeof SyntheticRegion>;
export const SyntheticGpu = z.enum(['t4', 'k80', 'v100']);
export type SyntheticGpu = z.infer<typeof SyntheticGpu>;

/** Limits an admin sets on a profile; users override settings only within them. */
export const ProfileLimits = z.object({
  /** Machines (or agents) this profile may run at once. */
  maxInstances: z.number().int().min(1).max(1000).default(4),
  /** Longest run, seconds. */
  maxTimeoutSec: z
    .number()
    .int()
    .min(60)
    .max(30 * 86400)
    .default(86400),
  /** Highest hourly price (USD) a user may ask for; clouds only. */
  maxPricePerHour: z.number().positive().max(1000).optional(),
});
export type ProfileLimits = z.infer<typeof ProfileLimits>;

export const ComputeProfileInput = z.object({
  name: ComputeName,
  kind: ComputeKind,
  /** Kind-specific settings, validated per kind on the server (see `src/compute/profiles`). */
  settings: z.record(z.string(), z.unknown()),
});
export type ComputeProfileInput = z.infer<typeof ComputeProfileInput>;

export const ComputeProfile = z.object({
  name: ComputeName,
  kind: ComputeKind,
  /** Normalized settings, defaults filled in; holds credential names, never secrets. */
  settings: z.record(z.string(), z.unknown()),
  limits: ProfileLimits,
  /** For clouds: the machine its defaults resolve to. */
  resolved: z.lazy(() => ResolvedMachine).nullable(),
  createdAt: z.string(),
});
export type ComputeProfile = z.infer<typeof ComputeProfile>;
export const ComputeProfileList = z.object({ profiles: z.array(ComputeProfile) });
export type ComputeProfileList = z.infer<typeof ComputeProfileList>;

/** A user's overrides in the Run form (`kiln exp run --target PROFILE` takes the same). */
/** A region, type or GPU name: synthetic (`m+t4`) or native (`n1-standard-4+nvidia-tesla-t4*2`). */
const MachineWord = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+*-]*$/, 'may hold letters, digits, ".", "_", "+", "*" and "-" only');

export const MachineOverrides = z.object({
  region: MachineWord.optional(),
  type: MachineWord.optional(),
  gpu: MachineWord.optional(),
  diskGb: z.number().int().min(8).max(65536).optional(),
  spot: z.boolean().optional(),
  maxPrice: z.number().positive().max(1000).optional(),
  timeoutSec: z.number().int().min(60).optional(),
});
export type MachineOverrides = z.infer<typeof MachineOverrides>;

export const ResolveRequest = z.object({ profile: ComputeName, overrides: MachineOverrides.default({}) });
export type ResolveRequest = z.infer<typeof ResolveRequest>;

/** A cloud machine in the provider's own terms. */
export const ResolvedMachine = z.object({
  cloud: CloudKind,
  /** Native region (`us-west-1`, `us-west1`, `westus2`). */
  region: z.string(),
  /** Native zone when the mapping names one (GCP). */
  zone: z.string().nullable(),
  /** Native instance type / machine type / VM size. */
  type: z.string(),
  accelerator: z.object({ type: z.string(), count: z.number().int().min(1) }).nullable(),
  diskGb: z.number().int(),
  spot: z.boolean(),
  maxPrice: z.number().nullable(),
  /** On-demand USD per hour from Kiln's static table (null when unknown). */
  pricePerHour: z.number().nullable(),
  /** pricePerHour × timeout, USD (null when the price is unknown). */
  estimate: z.number().nullable(),
  timeoutSec: z.number().int(),
});
export type ResolvedMachine = z.infer<typeof ResolvedMachine>;

/** Where a run ran, for the row ("host", "instance i-… in us-west-1b", "Slurm job 42", "pod …"). */
export const Placement = z.object({
  target: ComputeKind,
  profile: z.string().nullable(),
  /** Host name, instance id, Slurm job id or pod name. */
  id: z.string(),
  zone: z.string().nullable(),
  detail: z.string(),
  pricePerHour: z.number().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type Placement = z.infer<typeof Placement>;
