import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { CreatedExperiments, LogPage, experimentRef } from '../../contracts/experiments.js';
import { TablePage } from '../../contracts/api.js';
import { git } from '../../git/run-git.js';
import { startRunServer } from './test-harness.js';

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
    expect(row?.params['params.yaml']?.train).toMatchObject({ lr: 0.001 });
    expect(row?.metrics).not.toEqual({});
    expect(JSON.stringify(row?.metrics)).not.toBe(JSON.stringify(base?.metrics));
    expect(table.rows.indexOf(row ?? base!)).toBeGreaterThan(table.rows.indexOf(base!));
  });
});
