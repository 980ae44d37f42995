import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { CreatedExperiments, LogPage, experimentRef } from '../../contracts/experiments.js';
import { TablePage } from '../../contracts/api.js';
import { git } from '../../git/run-git.js';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

beforeAll(async () => {
  h = await startRunServer({ 'compute.local.concurrency': '3' });
});
afterAll(async () => h?.close());

describe('experiments on the local target', () => {
  it('runs a changed param end to end and stores the result ref', async () => {
    const r = await h.api('POST', '/api/projects/demo/experiments', {
      rev: 'main',
      name: 'fast-lr',
      set: ['train.lr=0.001'],
    });
    expect(r.status).toBe(201);
    const created = CreatedExperiments.parse(r.json);
    expect(created.experiments[0]?.status).toBe('queued');
    const done = await h.waitFor('fast-lr');
    const logs = LogPage.parse((await h.api('GET', '/api/projects/demo/experiments/fast-lr/logs')).json);
    expect(done.status, logs.chunks.map((c) => c.text).join('')).toBe('succeeded');
    expect(done.timeline.map((t) => t.status)).toEqual([
      'queued',
      'starting',
      'running',
      'saving',
      'succeeded',
    ]);
    expect(done.resultCommit).toMatch(/^[0-9a-f]{40}$/);
    const seqs = logs.chunks.map((c) => c.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    const source = path.join(h.home, 'demo-repo');
    const ref = experimentRef(done.baseline, 'fast-lr');
    expect((await git(['rev-parse', ref], { cwd: source })).trim()).toBe(done.resultCommit);
    const params = await git(['show', `${ref}:params.yaml`], { cwd: source });
    expect(params).toMatch(/lr: 0\.001 # learning rate/);

    const table = TablePage.parse((await h.api('GET', '/api/projects/demo/table')).json);
    const row = table.rows.find((x) => x.name === 'fast-lr');
    const base = table.rows.find((x) => x.rev === done.baseline);
    expect(row?.status).toBe('succeeded');
    expect(row?.target).toBe('local');
    expect(row?.params['params.yaml']?.train).toMatchObject({ lr: 0.001 });
    expect(row?.metrics).not.toEqual({});
    expect(JSON.stringify(row?.metrics)).not.toBe(JSON.stringify(base?.metrics));
    expect(table.rows.indexOf(row ?? base!)).toBeGreaterThan(table.rows.indexOf(base!));
  }, 240_000);

  it('gives the job its environment with secrets masked, runs again and makes a branch', async () => {
    const script =
      'echo "name=$DVC_EXP_NAME base=$DVC_EXP_BASELINE_REV url=$DVC_STUDIO_URL tok=$DVC_STUDIO_TOKEN agent=${KILN_TOKEN:-none}"\n';
    await h.api('POST', '/api/projects/demo/experiments', {
      rev: 'main',
      name: 'env-check',
      script,
      set: ['train.epochs=2'],
    });
    const done = await h.waitFor('env-check');
    expect(done.status).toBe('succeeded');
    const log = LogPage.parse((await h.api('GET', '/api/projects/demo/experiments/env-check/logs')).json)
      .chunks.map((c) => c.text)
      .join('');
    expect(log).toContain(`name=env-check base=${done.baseline} url=${h.server.url} tok=*** agent=none`);

    const again = CreatedExperiments.parse(
      (await h.api('POST', '/api/projects/demo/experiments/env-check/run-again', {})).json,
    );
    expect(again.experiments[0]?.changeSet).toEqual(done.changeSet);
    expect(again.experiments[0]?.name).not.toBe('env-check');

    const b = await h.api('POST', '/api/projects/demo/experiments/env-check/branch', {
      branch: 'from-env-check',
    });
    expect(b.status).toBe(200);
    const source = path.join(h.home, 'demo-repo');
    expect((await git(['rev-parse', 'refs/heads/from-env-check'], { cwd: source })).trim()).toBe(
      done.resultCommit,
    );
  }, 240_000);

  it('kiln exp run --follow prints the log and exits with the run status', async () => {
    const script = path.join(h.home, 'fail.sh');
    await writeFile(script, 'echo "from the cli"\nexit 4\n');
    const main = path.resolve(import.meta.dirname, '../../cli/main.ts');
    const res = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          main,
          '--url',
          h.server.url,
          '--token',
          h.token,
          'exp',
          'run',
          'demo',
          '--rev',
          'main',
          '--script',
          script,
          '--name',
          'cli-run',
          '--follow',
        ],
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
      );
    });
    expect(res.out).toContain('from the cli');
    expect(res.out).toContain('cli-run failed (exit 4)');
    expect(res.code).toBe(4);
  }, 240_000);
});
