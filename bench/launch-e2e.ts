/**
 * `launch.end_to_end`: what a run costs beyond its training. A `make-dvc-project --commits 20`
 * project, a run with `-S train.epochs=N` that re-runs train + evaluate, from submit until the
 * experiment is `succeeded` with its result ref in the project's remote — against the same work
 * done by hand in the same bench run (clone + `kiln pipeline pull` + param edit + `kiln pipeline
 * run` + `git commit` + `git push` of the ref). Target ≤ 1.25× the floor. The phases (from the
 * run's timeline and when each of the agent's own log lines arrived) show where the rest goes.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Experiment, LogPage, experimentRef, isFinished } from '../src/contracts/experiments.js';
import { makeBareDvcProject } from '../test/fixtures.js';
import { startTestServer } from '../test/test-server.js';
import { median, round, type BenchResult } from './result.js';

const run = promisify(execFile);
const RUNS = 3;
const ROOT = path.join(import.meta.dirname, '..');

/** The agent's own lines that start a phase, in the order they come. */
const MARKS: Array<[phase: string, line: RegExp]> = [
  ['workspace', /kiln: preparing a workspace/],
  ['pull', /kiln: pulling DVC-tracked inputs/],
  ['script', /kiln: \d+ file\(s\) fetched/],
  ['push', /kiln: pushing DVC outputs/],
  ['save', /kiln: \d+ file\(s\) pushed/],
  ['forward', /kiln: saved [0-9a-f]+ as /],
];

export async function benchLaunchE2e(): Promise<BenchResult[]> {
  const cli = path.join(ROOT, 'dist/cli/main.js');
  if (!existsSync(cli))
    throw new Error('launch.end_to_end runs the built CLI by hand for its floor: run `npm run build` first');
  const fixture = await makeBareDvcProject('kiln-bench-e2e-', 20);
  const s = await startTestServer();
  try {
    const api = async (method: string, url: string, body?: unknown) => {
      const r = await s.api(method, url, body);
      if (r.status >= 400) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    };
    await api('POST', '/api/projects', { name: 'p', source: fixture.bare });
    await api('POST', '/api/projects/p/reload');

    const once = async (name: string, epochs: number) => {
      const t0 = performance.now();
      await api('POST', '/api/projects/p/experiments', {
        rev: 'main',
        name,
        set: [`train.epochs=${epochs}`],
      });
      const marks = new Map<string, number>();
      let after = 0;
      let exp = Experiment.parse(await api('GET', `/api/projects/p/experiments/${name}`));
      const follow = (async () => {
        for (;;) {
          const page = LogPage.parse(
            await api('GET', `/api/projects/p/experiments/${name}/logs?after=${after}&wait=5000`),
          );
          const now = performance.now() - t0;
          for (const c of page.chunks)
            for (const [phase, re] of MARKS) if (!marks.has(phase) && re.test(c.text)) marks.set(phase, now);
          after = page.next;
          if (page.done) return;
        }
      })();
      while (!isFinished(exp.status)) {
        await new Promise((r) => setTimeout(r, 20));
        exp = Experiment.parse(await api('GET', `/api/projects/p/experiments/${name}`));
      }
      const finished = performance.now() - t0;
      if (exp.status !== 'succeeded') throw new Error(`${name} ended ${exp.status}: ${exp.error ?? ''}`);
      const ref = experimentRef(exp.baseline, name);
      while (
        (await run('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: fixture.bare }).catch(
          () => null,
        )) === null
      )
        await new Promise((r) => setTimeout(r, 20));
      const total = performance.now() - t0;
      await follow;
      const at = (status: string) => {
        const t = exp.timeline.find((x) => x.status === status)?.at;
        return t ? Date.parse(t) : NaN;
      };
      // Timeline times are the server's clock; this process is the server, so they line up.
      const submitted = Date.now() - total;
      marks.set('claim', at('starting') - submitted);
      marks.set('state', finished);
      marks.set('remote', total);
      return { total, marks };
    };

    await once('warm-up', 2);
    const measured: Array<{ total: number; marks: Map<string, number> }> = [];
    for (let i = 0; i < RUNS; i++) measured.push(await once(`e2e-${i}`, 3 + i));

    // The floor: the same work by hand, with the same CLI's pipeline commands.
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'kiln-bench-hand-'));
      const t0 = performance.now();
      await run('git', ['clone', '--quiet', fixture.bare, dir]);
      await run(process.execPath, [cli, 'pipeline', 'pull'], { cwd: dir });
      const params = path.join(dir, 'params.yaml');
      writeFileSync(params, readFileSync(params, 'utf8').replace(/epochs: \d+/, `epochs: ${13 + i}`));
      await run(process.execPath, [cli, 'pipeline', 'run'], { cwd: dir });
      await run('git', ['add', '-A'], { cwd: dir });
      await run('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '--quiet', '-m', 'by hand'], {
        cwd: dir,
      });
      await run('git', ['push', '--quiet', 'origin', `HEAD:refs/exps/bench/by-hand-${i}`], { cwd: dir });
      floor.push(performance.now() - t0);
      await rm(dir, { recursive: true, force: true });
    }

    const total = median(measured.map((m) => m.total));
    const f = median(floor);
    // Each phase runs from the previous mark to its own (the marks in the order a run passes them).
    const phases: Array<[mark: string, phase: string, what: string]> = [
      ['claim', 'queue', 'submit → claimed'],
      ['workspace', 'handover', 'claimed → the agent starts the job'],
      ['pull', 'workspace', 'clone/checkout of the baseline'],
      ['script', 'pull', 'DVC pull of the inputs'],
      ['push', 'script', 'the pipeline itself'],
      ['save', 'push', 'DVC push of the outputs'],
      ['forward', 'save', 'git commit + push of the result'],
      ['state', 'finish', 'result → succeeded'],
      ['remote', 'forward', "succeeded → ref in the project's remote"],
    ];
    const phase = (i: number) =>
      median(
        measured.map((m) => {
          const start = i === 0 ? 0 : (m.marks.get(phases[i - 1]?.[0] ?? '') ?? NaN);
          return (m.marks.get(phases[i]?.[0] ?? '') ?? NaN) - start;
        }),
      );
    return [
      {
        name: 'launch.end_to_end',
        value: round(total, 0),
        unit: 'ms',
        baseline: round(f, 0),
        ratio: round(total / f, 2),
      },
      ...phases.map(([, name, what], i) => ({
        name: `launch.phase.${name}`,
        value: round(phase(i), 0),
        unit: `ms (${what})`,
      })),
    ];
  } finally {
    await s.close();
    await rm(fixture.tmp, { recursive: true, force: true });
  }
}
