import type { JobSpec } from '../../contracts/agent.js';
import type { ExperimentRecord } from '../../store/port.js';
import { gitHttpUrl } from '../compute/git-http.js';
import { presentExperiment } from './present.js';

/** A project's S3 DVC remote keys, as the dispatcher reads them. */
export interface S3Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What every job of a project needs from it: where to clone from, and its DVC remote's keys. */
export interface ProjectSpec {
  mirror: string;
  subdir: string;
  source: string;
  s3: S3Keys | undefined;
}

/** Everything a job spec is made of, read beforehand: the builder itself does no I/O. */
export interface JobSpecInput {
  jobId: string;
  /** The experiment as it starts (state `starting`). */
  exp: ExperimentRecord;
  /** This server's URL, as agents reach it. */
  url: string;
  /** The run token: the job's live posts, and remote agents' clone and push, use it. */
  token: string;
  project: ProjectSpec;
  /** The compute kind of the run's target (`local` for the local agents). */
  kind: string | undefined;
  /** Uploaded replacement files on this server's disk, by repo path. */
  uploads: Record<string, string>;
  ackedSeq: number;
  resumeFrom: string | null;
}

/** Only an attempt after an interrupted one can have a checkpoint to resume from. */
export function mayResume(exp: ExperimentRecord): boolean {
  return presentExperiment(exp, 0).timeline.filter((t) => t.status === 'starting').length > 1;
}

/** The job an agent gets: where to clone and push, the change set, the environment, what to mask. */
export function buildJobSpec(i: JobSpecInput): JobSpec {
  const { exp, project } = i;
  const remote = exp.target !== 'local';
  // Remote agents can't reach the mirror's path: they clone and push over Kiln's git HTTP.
  const cloneUrl = remote ? gitHttpUrl(i.url, exp.project, i.token) : project.mirror;
  const { changeSet } = presentExperiment(exp, 0);
  return {
    jobId: i.jobId,
    experimentId: exp.id,
    project: exp.project,
    name: exp.name,
    baseline: exp.baseline,
    cloneUrl,
    // Agents push to the mirror only; the server forwards the result to the project's own remote
    // with the project's credentials, which never leave the server.
    pushUrls: [cloneUrl],
    subdir: project.subdir,
    changeSet,
    uploads: i.uploads,
    timeoutSec: exp.timeoutSec,
    ...jobEnv({
      exp,
      jobId: i.jobId,
      url: i.url,
      token: i.token,
      source: project.source,
      kind: i.kind,
      s3: project.s3,
    }),
    ackedSeq: i.ackedSeq,
    ...(i.resumeFrom ? { resumeFrom: i.resumeFrom } : {}),
    ...(exp.message ? { message: exp.message } : {}),
  };
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
