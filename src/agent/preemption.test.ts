import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMetadataStandIn } from '../../test/metadata-standin.js';
import { checkPreemption, watchPreemption } from './preemption.js';

let md: Awaited<ReturnType<typeof startMetadataStandIn>>;
beforeAll(async () => {
  md = await startMetadataStandIn();
});
afterAll(async () => md?.close());

it('contract: reads the EC2 (IMDSv2), GCE and Azure spot notices in their documented shapes', async () => {
  md.notice = false;
  for (const kind of ['aws', 'gcp', 'azure'] as const) expect(await checkPreemption(kind, md.url)).toBeNull();
  md.notice = true;
  expect(await checkPreemption('aws', md.url)).toMatch(/^EC2 spot instance-action terminate at /);
  expect(await checkPreemption('gcp', md.url)).toBe('GCE preemption notice');
  expect(await checkPreemption('azure', md.url)).toMatch(/^Azure scheduled event Preempt/);
  // IMDSv2: a token first, then the notice with it.
  expect(md.requests).toContain('PUT /latest/api/token');
  md.notice = false;
});

it('watches only when asked, says it once, and an unreachable metadata service is no notice', async () => {
  const seen: string[] = [];
  const off = watchPreemption({}, (w) => seen.push(w), 20);
  const dead = watchPreemption(
    { KILN_PREEMPTION: 'gcp', KILN_METADATA_URL: 'http://127.0.0.1:9' },
    (w) => seen.push(w),
    20,
  );
  const stop = watchPreemption(
    { KILN_PREEMPTION: 'azure', KILN_METADATA_URL: md.url },
    (w) => seen.push(w),
    20,
  );
  await new Promise((r) => setTimeout(r, 150));
  expect(seen).toEqual([]);
  md.notice = true;
  await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1);
  await new Promise((r) => setTimeout(r, 150));
  expect(seen).toHaveLength(1);
  off();
  dead();
  stop();
  md.notice = false;
});
