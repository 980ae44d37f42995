import {
  KNOWN_GPUS,
  SYNTHETIC_REGIONS,
  SYNTHETIC_TYPES,
  type CiCloud,
  type WizardConfig,
} from '../../contracts/ci.js';

/** The secrets `cml runner launch` needs to create machines on each cloud, as CML documents them. */
export function cloudSecrets(cloud: CiCloud): string[] {
  switch (cloud) {
    case 'aws':
      return ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
    case 'azure':
      return ['AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_SUBSCRIPTION_ID', 'AZURE_TENANT_ID'];
    case 'gcp':
      return ['GOOGLE_APPLICATION_CREDENTIALS_DATA'];
    case 'kubernetes':
      return ['KUBERNETES_CONFIGURATION'];
  }
}

/** The token CML registers the runner and posts reports with. */
export const REPO_TOKEN = 'REPO_TOKEN';
/** Where the training job's DVCLive sends live metrics: Kiln's URL and a project token. */
export const STUDIO_SECRETS = ['DVC_STUDIO_URL', 'DVC_STUDIO_TOKEN'] as const;

/** True when the runner gets a GPU, from `--cloud-gpu` or a `+gpu` / GPU-named type. */
export function usesGpu(c: WizardConfig): boolean {
  if (c.gpu !== undefined && c.gpu !== 'nogpu') return true;
  const suffix = c.type.includes('+') ? c.type.slice(c.type.indexOf('+') + 1) : c.type;
  return (KNOWN_GPUS as readonly string[]).includes(suffix) && suffix !== 'nogpu';
}

/** `cml runner launch` arguments, one flag each, with CML's real flag names. */
export function launchArgs(c: WizardConfig): string[] {
  const args = [`--cloud=${c.cloud}`];
  if (c.cloud !== 'kubernetes') args.push(`--cloud-region=${c.region}`);
  args.push(`--cloud-type=${c.type}`);
  if (c.gpu !== undefined) args.push(`--cloud-gpu=${c.gpu}`);
  if (c.hdd !== undefined) args.push(`--cloud-hdd-size=${c.hdd}`);
  if (c.spot) args.push('--cloud-spot');
  if (c.reuse === 'reuse') args.push('--reuse');
  if (c.reuse === 'reuse-idle') args.push('--reuse-idle');
  args.push(`--labels=${c.labels.join(',')}`);
  if (c.idleTimeout !== undefined) args.push(`--idle-timeout=${c.idleTimeout}`);
  return args;
}

/** The launch command as a multi-line shell command. */
export function launchCommand(c: WizardConfig): string {
  return ['cml runner launch', ...launchArgs(c)].join(' \\\n  ');
}

/** Advice that does not block generation. */
export function wizardWarnings(c: WizardConfig): string[] {
  const w: string[] = [];
  if (c.hdd === undefined)
    w.push(
      'no HDD size given: the cloud default disk is often too small for datasets; 100 GB or more is recommended',
    );
  else if (c.hdd < 100) w.push(`HDD size ${c.hdd} GB is small: 100 GB or more is recommended`);
  if (c.cloud === 'kubernetes' && c.spot)
    w.push('spot instances are not available on kubernetes; --cloud-spot is ignored there');
  if (c.cloud !== 'kubernetes' && !(SYNTHETIC_REGIONS as readonly string[]).includes(c.region))
    w.push(
      `"${c.region}" is not one of CML's synthetic regions (${SYNTHETIC_REGIONS.join(', ')}); it is passed to ${c.cloud} as a native region`,
    );
  const base = c.type.split('+')[0] ?? c.type;
  if (
    !(SYNTHETIC_TYPES as readonly string[]).includes(base) &&
    !(KNOWN_GPUS as readonly string[]).includes(base)
  )
    w.push(
      `"${c.type}" is not a CML synthetic type (${SYNTHETIC_TYPES.join(', ')}); it is passed to ${c.cloud} as a native instance type`,
    );
  if (c.gpu !== undefined && c.type.includes('+'))
    w.push(`both --cloud-gpu=${c.gpu} and a GPU type suffix (${c.type}) are set; CML uses the type's GPU`);
  if (c.ci === 'bitbucket' && usesGpu(c))
    w.push('CML does not yet give Bitbucket self-hosted runners GPU access; the job runs without one');
  if (c.idleTimeout !== undefined && c.idleTimeout >= 0 && c.idleTimeout < 60)
    w.push(`idle timeout ${c.idleTimeout}s may stop the runner before the training job is picked up`);
  return w;
}

/** The CML container image for the training job. */
export function cmlImage(gpu: boolean): string {
  return gpu ? 'iterativeai/cml:0-dvc3-base1-gpu' : 'iterativeai/cml:0-dvc3-base1';
}
