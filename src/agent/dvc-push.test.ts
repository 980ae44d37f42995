import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runPipeline } from '../dvc/pipeline/run.js';
import { LocalStore } from '../dvc/remote/local-store.js';
import { pushDvcOutputs } from './dvc-push.js';

it("writes the push of a run's DVC outputs into its log as a few progress lines, not one per object", async () => {
  const ws = mkdtempSync(join(tmpdir(), 'kiln-agent-push-'));
  const remote = mkdtempSync(join(tmpdir(), 'kiln-agent-push-remote-'));
  mkdirSync(join(ws, '.dvc'));
  writeFileSync(join(ws, '.dvc', 'config'), `[core]\n    remote = r\n['remote "r"']\n    url = ${remote}\n`);
  // 60 shards of 1000 bytes each, different contents: 60 objects and a manifest
  writeFileSync(
    join(ws, 'dvc.yaml'),
    'stages:\n  shard:\n    cmd: mkdir -p shards && for i in $(seq 10 69); do printf "%01000d" $i > shards/$i; done\n    outs: [shards]\n',
  );
  await runPipeline({ root: ws, log: () => {}, output: () => {} });

  const lines: string[] = [];
  // no dvc on the PATH: the agent's own push, as on a machine without DVC
  const error = await pushDvcOutputs(ws, { ...process.env, PATH: '/nonexistent' }, (stream, text) => {
    expect(stream).toBe('system');
    lines.push(text);
  });
  expect(error).toBeNull();
  expect(lines[0]).toBe("kiln: pushing DVC outputs to remote 'r'\n");
  expect(lines.at(-1)).toBe('kiln: 61 file(s) pushed, 0 already on the remote\n');
  const progress = lines.slice(1, -1);
  for (const l of progress)
    expect(l).toMatch(/^kiln: pushing DVC outputs \d+\/61 objects · [\d.]+\/\d+\.\d KB\n$/);
  // the totals, a line per tenth of the bytes, the end: never one per object
  expect(progress[0]).toMatch(/^kiln: pushing DVC outputs 0\/61 objects · 0\.0\/\d+\.\d KB\n$/);
  expect(progress.at(-1)).toMatch(/^kiln: pushing DVC outputs 61\/61 objects · (\d+\.\d)\/\1 KB\n$/);
  expect(progress.length).toBeGreaterThanOrEqual(10);
  expect(progress.length).toBeLessThanOrEqual(12);
  const done = progress.map((l) => Number(/ (\d+)\/61 /.exec(l)?.[1]));
  expect(done).toEqual([...done].sort((a, b) => a - b));
  const dir = /md5: ([0-9a-f]{32}\.dir)/.exec(readFileSync(join(ws, 'dvc.lock'), 'utf8'))?.[1] ?? '';
  expect(await new LocalStore(remote).has(dir)).toBe(true);
});
