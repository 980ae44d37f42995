import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export interface WideRepoOptions {
  commits: number;
  /** Leaf keys in params.yaml, nested two levels deep (group ▸ key). */
  params: number;
  /** Leaf keys in dvclive/metrics.json; every commit gets new values. */
  metrics: number;
  /** params.yaml changes every this many commits (a real history shares most params blobs). */
  paramsEvery?: number;
}

/**
 * A repository whose every commit fills every column: `params` keys in params.yaml and `metrics` keys in
 * dvclive/metrics.json, written through one `git fast-import` so 10,000 commits take seconds.
 * The dvc.yaml holds only what DVCLive writes into one (its metrics file, top-level): as with
 * `dvc metrics show`, a metrics file no dvc.yaml names is not a column; params.yaml always is.
 */
export function makeWideRepo(dir: string, opts: WideRepoOptions): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const every = opts.paramsEvery ?? 10;
  const chunks: string[] = [];
  const t0 = 1_700_000_000;
  const data = (text: string) => `data ${String(Buffer.byteLength(text))}\n${text}\n`;
  for (let c = 0; c < opts.commits; c++) {
    const lines = [
      `commit refs/heads/main`,
      `committer Wide <wide@example.com> ${String(t0 + c * 60)} +0000`,
    ];
    chunks.push(lines.join('\n') + '\n' + data(`commit ${String(c)}: tune things`));
    if (c === 0) chunks.push(`M 100644 inline dvc.yaml\n${data('metrics:\n- dvclive/metrics.json\n')}`);
    if (c % every === 0) {
      const era = Math.floor(c / every);
      let yaml = '';
      for (let g = 0; g * 10 < opts.params; g++) {
        yaml += `group${String(g)}:\n`;
        for (let k = g * 10; k < Math.min(opts.params, g * 10 + 10); k++)
          yaml += `  p${String(k)}: ${String(((era * 7 + k * 13) % 1000) / 1000)}\n`;
      }
      chunks.push(`M 100644 inline params.yaml\n${data(yaml)}`);
    }
    const metrics: Record<string, number> = {};
    for (let m = 0; m < opts.metrics; m++)
      metrics[`m${String(m)}`] = Math.round(Math.abs(Math.sin(c * 0.37 + m)) * 1e6) / 1e6;
    chunks.push(`M 100644 inline dvclive/metrics.json\n${data(JSON.stringify(metrics))}\n`);
  }
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: dir,
    input: chunks.join(''),
    maxBuffer: 1 << 26,
  });
  execFileSync('git', ['reset', '-q', '--hard', 'main'], { cwd: dir });
}
