import { expect, it } from 'vitest';
import type { ExperimentRecord } from '../../store/port.js';
import { buildJobSpec, mayResume, type JobSpecInput } from './job-spec.js';

const exp: ExperimentRecord = {
  id: 'e1',
  project: 'demo',
  name: 'brave-lark',
  baseline: 'a'.repeat(40),
  message: 'try a smaller lr',
  changeSetJson: JSON.stringify({
    params: [{ file: 'params.yaml', key: 'lr', value: 0.1 }],
    inputs: [],
    script: 'dvc repro',
  }),
  target: 'gpu-box',
  timeoutSec: 600,
  priority: 0,
  queueOrder: 1,
  status: 'starting',
  timelineJson: JSON.stringify([
    { status: 'queued', at: '2026-01-01T00:00:00Z' },
    { status: 'starting', at: '2026-01-01T00:00:01Z' },
  ]),
  exitCode: null,
  error: null,
  resultCommit: null,
  sweepId: null,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
};

const input = (o: Partial<JobSpecInput> = {}): JobSpecInput => ({
  jobId: 'j1',
  exp,
  url: 'https://kiln.example:8443',
  token: 'run-token-secret',
  project: {
    mirror: '/data/mirrors/demo.git',
    subdir: 'ml',
    source: 'https://git.example/demo.git',
    s3: undefined,
  },
  kind: 'ssh',
  uploads: {},
  ackedSeq: 0,
  resumeFrom: null,
  ...o,
});

it('a remote job clones and pushes over Kiln git HTTP with its run token; a local one uses the mirror', () => {
  const remote = buildJobSpec(input());
  expect(remote.cloneUrl).toBe('https://kiln:run-token-secret@kiln.example:8443/api/git/demo/');
  expect(remote.pushUrls).toEqual([remote.cloneUrl]);
  expect(remote.subdir).toBe('ml');
  expect(remote.changeSet.params).toEqual([{ file: 'params.yaml', key: 'lr', value: 0.1 }]);
  expect(remote.message).toBe('try a smaller lr');
  const local = buildJobSpec(input({ exp: { ...exp, target: 'local' }, kind: 'local' }));
  expect(local.cloneUrl).toBe('/data/mirrors/demo.git');
  // The source's own credentials never reach an agent: it pushes to the mirror only.
  expect(local.pushUrls).toEqual(['/data/mirrors/demo.git']);
});

it("the job's environment names the run for DVC and Kiln, and its secrets are masked", () => {
  const spec = buildJobSpec(
    input({
      kind: 'aws',
      project: {
        ...input().project,
        s3: { accessKeyId: 'AKIA1', secretAccessKey: 'shh', sessionToken: 'sess' },
      },
    }),
  );
  expect(spec.env).toMatchObject({
    DVC_EXP_BASELINE_REV: exp.baseline,
    DVC_EXP_NAME: 'brave-lark',
    DVC_STUDIO_URL: 'https://kiln.example:8443',
    DVC_STUDIO_TOKEN: 'run-token-secret',
    DVC_STUDIO_REPO_URL: 'https://git.example/demo.git',
    KILN_JOB_ID: 'j1',
    KILN_PREEMPTION: 'aws',
    AWS_ACCESS_KEY_ID: 'AKIA1',
    AWS_SECRET_ACCESS_KEY: 'shh',
    AWS_SESSION_TOKEN: 'sess',
  });
  expect(spec.secrets).toEqual(['run-token-secret', 'shh', 'sess']);
  // No spot notice to watch off the cloud, and no keys where the project has none.
  const ssh = buildJobSpec(input());
  expect(ssh.env.KILN_PREEMPTION).toBeUndefined();
  expect(ssh.env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  expect(ssh.secrets).toEqual(['run-token-secret']);
});

it('only a run started again after an interruption resumes from a checkpoint', () => {
  expect(mayResume(exp)).toBe(false);
  const again = {
    ...exp,
    timelineJson: JSON.stringify([
      ...JSON.parse(exp.timelineJson),
      { status: 'running', at: '2026-01-01T00:00:02Z' },
      { status: 'queued', at: '2026-01-01T00:01:00Z' },
      { status: 'starting', at: '2026-01-01T00:01:05Z' },
    ]),
  };
  expect(mayResume(again)).toBe(true);
  const sha = 'b'.repeat(40);
  expect(buildJobSpec(input({ exp: again, resumeFrom: sha })).resumeFrom).toBe(sha);
  expect(buildJobSpec(input()).resumeFrom).toBeUndefined();
});
