/**
 * Launch latency (POST → the job's first output line, agents already waiting) against the floor
 * `git worktree add` + `bash -c echo`; throughput of 20 queued runs at concurrency 2 (all must
 * complete, none lost) with the scheduler's overhead per run. The `dispatch` group measures the
 * scheduler alone, without agents.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreatedExperiments, LogPage, type Experiment } from '../src/contracts/experiments.js';
import { startRunServer } from '../test/test-harness.js';
import { median, percentile, round, type BenchResult } from './result.js';

const RUNS = 5;
const DISPATCH = 20;

export async function benchLaunch(): Promise<BenchResult[]> {
  const h = await startRunServer({ 'compute.local.concurrency': '2' });
  try {
    const exps = '/api/projects/demo/experiments';
    // Warm up: the agents start and connect.
    await h.api('POST', exps, { rev: 'main', name: 'warm-up', script: 'echo warm\n' });
    await h.waitFor('warm-up');

    const launch: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await h.api('POST', exps, { rev: 'main', name: `launch-${i}`, script: 'echo first line\n' });
      for (let after = 0; ;) {
        const page = LogPage.parse(
          (await h.api('GET', `${exps}/launch-${i}/logs?after=${after}&wait=10000`)).json,
        );
        after = page.next;
        if (page.chunks.some((c) => c.stream === 'stdout')) break;
        if (page.done) throw new Error(`launch-${i} ended without output`);
      }
      launch.push(performance.now() - t0);
      await h.waitFor(`launch-${i}`);
    }

    const mirror = h.server.projects.mirrorDir('demo');
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = path.join(h.home, `floor-${i}`);
      const t0 = performance.now();
      execFileSync('git', ['worktree', 'add', '--quiet', '--detach', dir, 'main'], { cwd: mirror });
      execFileSync('bash', ['-c', 'echo'], { cwd: dir });
      floor.push(performance.now() - t0);
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: mirror });
      rmSync(dir, { recursive: true, force: true });
    }

    const t0 = performance.now();
    const created = CreatedExperiments.parse(
      (
        await h.api('POST', exps, {
          rev: 'main',
          name: 'dispatch',
          set: [`train.seed=range(0,${DISPATCH})`],
          script: 'echo run\n',
        })
      ).json,
    );
    const done: Experiment[] = [];
    for (const e of created.experiments) done.push(await h.waitFor(e.name, undefined, 300_000));
    const wall = (performance.now() - t0) / 1000;
    const lost = done.filter((e) => e.status !== 'succeeded');
    if (lost.length)
      throw new Error(
        `${lost.length} of ${DISPATCH} queued runs did not succeed: ${lost.map((e) => `${e.name} ${e.status}`).join(', ')}`,
      );
    const claims = claimLatencies(done);
    const perRun = claims.reduce((a, b) => a + b, 0) / claims.length;
    const l = median(launch);
    const f = median(floor);
    return [
      {
        name: 'launch.latency',
        value: round(l, 1),
        unit: 'ms',
        baseline: round(f, 1),
        ratio: round(l / f, 2),
      },
      {
        name: 'launch.throughput',
        value: round(DISPATCH / wall, 2),
        unit: 'runs/s (20 runs, concurrency 2)',
      },
      { name: 'launch.completed', value: done.length - lost.length, unit: `of ${DISPATCH} runs succeeded` },
      { name: 'launch.overhead_per_run', value: round(perRun, 1), unit: 'ms scheduler overhead (mean)' },
      { name: 'launch.overhead_p99', value: round(percentile(claims, 99), 1), unit: 'ms scheduler overhead' },
    ];
  } finally {
    await h.close();
  }
}

/**
 * Scheduler overhead per run: from the moment a run could start (queued and a slot free, i.e.
 * the latest earlier finish) to the moment an agent had claimed it.
 */
function claimLatencies(runs: Experiment[]): number[] {
  const at = (e: Experiment, s: string) => Date.parse(e.timeline.find((t) => t.status === s)?.at ?? '');
  const finishes = runs.map((e) => Date.parse(e.finishedAt ?? '')).filter(Number.isFinite);
  return runs.map((e) => {
    const start = at(e, 'starting');
    const ready = Math.max(at(e, 'queued'), ...finishes.filter((f) => f <= start));
    return start - ready;
  });
}
