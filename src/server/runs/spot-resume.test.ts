import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LogPage, type Experiment } from '../../contracts/experiments.js';
import { startMetadataStandIn } from '../../../test/metadata-standin.js';
import { startRunServer } from '../../../test/test-harness.js';

// The agent watches the EC2 spot notice through a local stand-in of the instance metadata
// service (IMDSv2 shapes); the run itself, the checkpoint and the resume are real.
let md: Awaited<ReturnType<typeof startMetadataStandIn>>;
let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  md = await startMetadataStandIn();
  // Local agents inherit the server's environment, as a cloud VM's agent gets it from its job.
  process.env.KILN_PREEMPTION = 'aws';
  process.env.KILN_METADATA_URL = md.url;
  h = await startRunServer({ 'compute.local.concurrency': '1' });
}, 120_000);
afterAll(async () => {
  delete process.env.KILN_PREEMPTION;
  delete process.env.KILN_METADATA_URL;
  await h?.close();
  await md?.close();
});

async function logText(name: string): Promise<string> {
  const page = LogPage.parse((await h.api('GET', `/api/projects/demo/experiments/${name}/logs`)).json);
  return page.chunks.map((c) => c.text).join('');
}

// Training that keeps its progress in the DVCLive directory and picks it up when it is there.
const SCRIPT = `mkdir -p dvclive
if [ -f dvclive/progress ]; then
  echo "resumed at step $(cat dvclive/progress)"
  echo 7 > dvclive/progress
  echo finished > result.txt
  exit 0
fi
echo 3 > dvclive/progress
echo "training from scratch"
sleep 120
`;

it('a spot notice mid-run checkpoints, queues the same experiment again, and it resumes to success', async () => {
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'spotty',
    script: SCRIPT,
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  await expect
    .poll(() => logText('spotty'), { timeout: 120_000, interval: 200 })
    .toContain('training from scratch');
  md.notice = true;
  await expect
    .poll(() => logText('spotty'), { timeout: 60_000, interval: 100 })
    .toMatch(/checkpoint \w+ saved/);
  md.notice = false;

  const done: Experiment = await h.waitFor('spotty');
  const log = await logText('spotty');
  expect(done.status, log).toBe('succeeded');
  expect(log).toContain('EC2 spot instance-action terminate');
  expect(log).toMatch(/resuming from checkpoint \w+/);
  expect(log).toContain('resumed at step 3');
  // One row, one lineage: two attempts on the same experiment.
  expect(done.timeline.filter((t) => t.status === 'starting')).toHaveLength(2);
  expect(done.error).toBeNull();
  const mirror = h.server.projects.mirrorDir('demo');
  const show = (f: string) =>
    execFileSync('git', ['show', `${done.resultCommit ?? ''}:${f}`], {
      cwd: mirror,
      encoding: 'utf8',
    }).trim();
  expect(show('result.txt')).toBe('finished');
  expect(show('dvclive/progress')).toBe('7');
  // The result is one commit on the baseline, not on top of the checkpoint.
  const parent = execFileSync('git', ['rev-parse', `${done.resultCommit ?? ''}^`], {
    cwd: mirror,
    encoding: 'utf8',
  });
  expect(parent.trim()).toBe(done.baseline);
}, 300_000);

it('a run interrupted as many times as the attempt limit allows ends failed, saying so', async () => {
  await h.server.store.setSetting('runs.maxAttempts', '1');
  const r = await h.api('POST', '/api/projects/demo/experiments', {
    rev: 'main',
    name: 'unlucky',
    script: 'echo "training from scratch"\nsleep 120\n',
  });
  expect(r.status).toBe(201);
  await expect
    .poll(() => logText('unlucky'), { timeout: 120_000, interval: 200 })
    .toContain('training from scratch');
  md.notice = true;
  const done = await h.waitFor('unlucky');
  md.notice = false;
  expect(done.status).toBe('failed');
  expect(done.error).toMatch(/interrupted 1 time\(s\), the attempt limit/);
}, 300_000);
