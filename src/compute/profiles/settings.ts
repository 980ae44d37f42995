import { z } from 'zod';
import { ComputeName, type ComputeKind } from '../../contracts/compute.js';

/** `--set hosts=a,b` arrives as a string; a list field takes both. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(item),
  );
/** `--set partition=1` may arrive as a number; a text field keeps it as text. */
const text = (max = 200) =>
  z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().min(1).max(max));
const count = (max: number) => z.coerce.number().int().min(0).max(max);
const flag = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

/** A host as `[user@]host[:port]`: letters, digits, dots, dashes only, so it is never shell text. */
export const SshHost = z
  .string()
  .regex(
    /^(?:[a-z_][a-z0-9_-]{0,31}@)?[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$/,
    'host must be [user@]host[:port]',
  );

const limits = {
  maxInstances: z.coerce.number().int().min(1).max(1000).default(4),
  maxTimeoutSec: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86400)
    .default(86400),
  /** Failed machine launches before the profile's queued runs fail (default 5)… */
  launchAttempts: z.coerce.number().int().min(1).max(100).optional(),
  /** …or minutes after the first failed launch, whichever comes first (default 30). */
  launchGiveUpMin: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
};

/** A filesystem path on a remote machine: no shell metacharacters, since it ends up in commands. */
const remotePath = z
  .string()
  .regex(/^[A-Za-z0-9_./~-]{1,500}$/, 'path may hold letters, digits, "_", ".", "/", "~", "-" only');

export const LocalSettings = z.object({ concurrency: count(64).default(2), ...limits }).strict();

export const SshSettings = z
  .object({
    hosts: list(SshHost).pipe(z.array(SshHost).min(1).max(100)),
    credential: ComputeName,
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/)
      .optional(),
    /** The Node.js binary on the hosts (the only thing a host needs). */
    node: remotePath.default('node'),
    workDir: remotePath.default('.kiln-agent'),
    agentsPerHost: count(16).pipe(z.number().min(1)).default(1),
    /** Expected host key SHA-256 fingerprints (base64), by host; unchecked hosts are refused unless `trustAnyHostKey`. */
    hostKeys: z.record(z.string(), z.string()).default({}),
    trustAnyHostKey: flag.default(false),
    ...limits,
  })
  .strict();

const Toleration = z
  .object({
    key: z.string().max(253).optional(),
    operator: z.enum(['Equal', 'Exists']).default('Equal'),
    value: z.string().max(63).optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  })
  .strict();

export const SlurmSettings = z
  .object({
    partition: text(100).optional(),
    cpus: count(4096).pipe(z.number().min(1)).default(1),
    /** Memory per node in MB. */
    memoryMb: count(16_000_000).optional(),
    gpus: count(64).default(0),
    /** Wall-clock limit, minutes. */
    timeLimitMin: count(30 * 24 * 60)
      .pipe(z.number().min(1))
      .default(60),
    account: text(100).optional(),
    qos: text(100).optional(),
    node: remotePath.default('node'),
    /** A directory every compute node sees (the agent bundle is copied there). */
    sharedDir: remotePath.optional(),
    ...limits,
  })
  .strict();

export const KubernetesSettings = z
  .object({
    credential: ComputeName,
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .max(63)
      .default('default'),
    image: text(500).default('node:20-bookworm'),
    cpu: text(20).default('1'),
    memory: text(20).default('2Gi'),
    gpus: count(64).default(0),
    nodeSelector: z.record(z.string(), text(63)).default({}),
    tolerations: z.array(Toleration).default([]),
    serviceAccount: text(253).optional(),
    /** Names of Secrets whose keys become the job's environment (by reference, never copied). */
    secretEnv: list(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)).default([]),
    /** Seconds the agent may wait for a run before its Job ends. */
    idleTimeoutSec: count(86400).default(300),
    ...limits,
  })
  .strict();

const cloud = {
  credential: ComputeName,
  region: text(64).default('us-west'),
  type: text(64).default('m'),
  gpu: text(64).optional(),
  diskGb: count(65536).pipe(z.number().min(8)).default(35),
  spot: flag.default(false),
  maxPrice: z.coerce.number().positive().max(1000).optional(),
  idleTimeoutSec: count(86400).default(300),
  image: text(500).optional(),
  /** Attempts before a run interrupted by spot reclaims stays failed. */
  maxAttempts: count(20).pipe(z.number().min(1)).default(3),
  maxPricePerHour: z.coerce.number().positive().max(1000).optional(),
  ...limits,
};

export const AwsSettings = z
  .object({ ...cloud, subnetId: text(100).optional(), securityGroupId: text(100).optional() })
  .strict();
export const GcpSettings = z
  .object({ ...cloud, project: text(100).optional(), network: text(200).optional() })
  .strict();
export const AzureSettings = z
  .object({ ...cloud, resourceGroup: text(90).default('kiln'), subnetId: text(500).optional() })
  .strict();

export const SETTINGS = {
  local: LocalSettings,
  ssh: SshSettings,
  slurm: SlurmSettings,
  kubernetes: KubernetesSettings,
  aws: AwsSettings,
  gcp: GcpSettings,
  azure: AzureSettings,
} as const satisfies Record<ComputeKind, z.ZodType>;

export type SettingsOf<K extends ComputeKind> = z.infer<(typeof SETTINGS)[K]>;
export type CloudSettings =
  z.infer<typeof AwsSettings> | z.infer<typeof GcpSettings> | z.infer<typeof AzureSettings>;

/** Validates a profile's settings for its kind; the message names the first bad key. */
export function parseSettings(
  kind: ComputeKind,
  raw: Record<string, unknown>,
): { ok: true; settings: Record<string, unknown> } | { ok: false; error: string } {
  const r = SETTINGS[kind].safeParse(raw);
  if (r.success) return { ok: true, settings: r.data };
  const first = r.error.issues[0];
  const at = first?.path.join('.') ?? '';
  const phrase = first && readable(first);
  const said = phrase && at ? `${at} ${phrase}` : `${at ? `${at}: ` : ''}${first?.message ?? 'malformed'}`;
  return { ok: false, error: `invalid ${kind} settings: ${said}` };
}

/**
 * A schema issue in words a person can act on ("credential is required", not zod's "Invalid
 * input: expected string, received undefined"); undefined keeps the schema's own message.
 */
function readable(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'invalid_type')
    return /received undefined$/.test(issue.message) ? 'is required' : `must be a ${issue.expected}`;
  if (issue.code === 'too_small' && issue.origin === 'number')
    return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && issue.origin === 'number')
    return `must be at most ${String(issue.maximum)}`;
  return undefined;
}

/**
 * Turns `KEY=VALUE` pairs into a settings object: dotted keys nest (`nodeSelector.gpu=a100`),
 * JSON values (`tolerations=[…]`, `spot=true`, `cpus=8`) parse as JSON, anything else is text.
 */
export function settingsFromPairs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set takes KEY=VALUE, got "${pair}"`);
    const keys = pair.slice(0, eq).split('.');
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    if (/^[[{"]|^-?\d+(\.\d+)?$|^(true|false|null)$/.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    let at: Record<string, unknown> = out;
    keys.forEach((k, i) => {
      if (!k || k === '__proto__' || k === 'constructor' || k === 'prototype')
        throw new Error(`bad key in "${pair}"`);
      if (i === keys.length - 1) at[k] = value;
      else {
        const next = at[k];
        const obj: Record<string, unknown> = {};
        if (next && typeof next === 'object' && !Array.isArray(next)) Object.assign(obj, next);
        at[k] = obj;
        at = obj;
      }
    });
  }
  return out;
}
