import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runPipeline } from '../src/dvc/pipeline/run.js';
import { median, round, type BenchResult } from './result.js';

const STAGES = 50;

/** A 50-stage chain, each stage reading the previous one's output and a params key. */
function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'kiln-bench-pipeline-'));
  mkdirSync(path.join(root, 'out'));
  writeFileSync(path.join(root, 'in.txt'), 'seed\n');
  const params: string[] = [];
  const stages: string[] = ['stages:'];
  for (let i = 0; i < STAGES; i++) {
    params.push(`s${i}: ${i}`);
    const input = i === 0 ? 'in.txt' : `out/${i - 1}.txt`;
    stages.push(
      `  s${i}:`,
      `    cmd: cat ${input} > out/${i}.txt && echo ${i} >> out/${i}.txt`,
      `    deps:`,
      `    - ${input}`,
      `    params:`,
      `    - s${i}`,
      `    outs:`,
      `    - out/${i}.txt`,
    );
  }
  writeFileSync(path.join(root, 'params.yaml'), params.join('\n') + '\n');
  writeFileSync(path.join(root, 'dvc.yaml'), stages.join('\n') + '\n');
  return root;
}

export async function benchPipeline(): Promise<BenchResult[]> {
  const root = project();
  const quiet = { log: () => undefined, output: () => undefined };
  await runPipeline({ root, ...quiet });
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await runPipeline({ root, ...quiet });
    xs.push(performance.now() - t0);
    if (r.ran.length > 0) throw new Error(`an up-to-date pipeline ran ${r.ran.join(', ')}`);
  }
  return [
    {
      name: 'pipeline.up_to_date',
      value: round(median(xs), 1),
      unit: `ms (${STAGES}-stage up-to-date pipeline, target < 1000)`,
    },
  ];
}
