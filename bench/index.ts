/**
 * `npm run bench [-- --json] [-- --only GROUP]`: runs each benchmark group in this process and
 * prints one line per figure (JSON with --json). Groups are added by the modules that own them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchResult } from './result.js';

type Group = { name: string; module: string; fn: string };
const GROUPS: Group[] = [
  { name: 'table', module: './table.js', fn: 'benchTable' },
  { name: 'hash', module: './hash.js', fn: 'benchHash' },
  { name: 'pipeline', module: './pipeline.js', fn: 'benchPipeline' },
  { name: 'launch', module: './launch.js', fn: 'benchLaunch' },
  { name: 'launch_e2e', module: './launch-e2e.js', fn: 'benchLaunchE2e' },
  { name: 'live', module: './live.js', fn: 'benchLive' },
  { name: 'dispatch', module: './dispatch.js', fn: 'benchDispatch' },
  { name: 'cluster', module: './cluster.js', fn: 'benchCluster' },
  { name: 'ui', module: './ui.js', fn: 'benchUi' },
];

const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;

function print(r: BenchResult): void {
  if (json) console.log(JSON.stringify(r));
  else
    console.log(
      `${r.name.padEnd(22)} ${String(r.value).padStart(12)} ${r.unit}${r.ratio !== undefined ? `   (${r.ratio}× of floor ${r.baseline} ${r.unit})` : ''}`,
    );
}

let failed = false;
for (const g of GROUPS) {
  if (only && !g.name.startsWith(only) && only !== g.name) continue;
  const file = path.join(import.meta.dirname, g.module.replace(/\.js$/, '.ts'));
  if (!existsSync(file)) continue;
  try {
    const mod: Record<string, unknown> = await import(g.module);
    const fn = mod[g.fn];
    if (typeof fn !== 'function') throw new Error(`${g.module} does not export ${g.fn}`);
    const results: unknown = await fn();
    if (!Array.isArray(results)) throw new Error(`${g.fn} did not return a list`);
    for (const r of results as BenchResult[]) print(r);
  } catch (err) {
    failed = true;
    console.error(`bench group ${g.name} failed: ${err instanceof Error ? err.stack : String(err)}`);
  }
}
process.exit(failed ? 1 : 0);
