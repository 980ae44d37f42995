import type { JobSpec } from '../../contracts/agent.js';
import type { ExperimentRecord } from '../../store/port.js';

/** A project's S3 DVC remote keys, as the scheduler reads them. */
export interface S3Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * A job's environment (DVC's and Kiln's variables, the DVC remote's keys) and the secrets the
 * agent masks in its log: the run token and those keys.
 */
export function jobEnv(o: {
  exp: ExperimentRecord;
  jobId: string;
  url: string;
  token: string;
  source: string;
  kind: string | undefined;
  s3: S3Keys | undefined;
}): Pick<JobSpec, 'env' | 'secrets'> {
  const { exp, s3, kind } = o;
  // The project's S3 DVC remote keys, for `dvc pull/push` or Kiln's own, masked in the log.
  const awsEnv: Record<string, string> = s3
    ? {
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        ...(s3.sessionToken ? { AWS_SESSION_TOKEN: s3.sessionToken } : {}),
      }
    : {};
  return {
    env: {
      DVC_EXP_BASELINE_REV: exp.baseline,
      DVC_EXP_NAME: exp.name,
      DVC_STUDIO_URL: o.url,
      DVC_STUDIO_TOKEN: o.token,
      DVC_STUDIO_REPO_URL: o.source,
      KILN_URL: o.url,
      KILN_PROJECT: exp.project,
      KILN_EXPERIMENT_ID: exp.id,
      KILN_EXPERIMENT_NAME: exp.name,
      KILN_JOB_ID: o.jobId,
      // Cloud machines watch their provider's spot notice, to checkpoint and resume elsewhere.
      ...(kind === 'aws' || kind === 'gcp' || kind === 'azure' ? { KILN_PREEMPTION: kind } : {}),
      ...awsEnv,
    },
    secrets: [o.token, ...(s3 ? [s3.secretAccessKey, ...(s3.sessionToken ? [s3.sessionToken] : [])] : [])],
  };
}
