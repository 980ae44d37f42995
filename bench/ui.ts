/**
 * The table as a person feels it, in headless Chromium on the 10,000-commit × 500-column repo:
 * `ui.first_rows` (navigation → first rows painted, target < 500 ms) and `ui.scroll` (a scripted
 * jump through the table page by page plus a wheel fling: share of frames that missed their
 * 16.7 ms slot, target ≤ 1%, and the slowest frame, target ≤ 50 ms). Needs `npm run build`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKiln } from '../test/kiln-process.js';
import { launchChromium } from '../web/e2e/chromium.js';
import { addWideProject, openTable } from '../web/e2e/table-measure.js';
import { makeWideRepo } from '../web/e2e/table-wide-repo.js';
import { median, round, type BenchResult } from './result.js';

const COMMITS = 10_000;
const PARAMS = 250;
const METRICS = 250;
const RUNS = 3;

export async function benchUi(): Promise<BenchResult[]> {
  if (!existsSync(path.join(import.meta.dirname, '../web/dist/index.html')))
    throw new Error('the ui group drives the built web app: run `npm run build` first');
  const repo = path.join(tmpdir(), `kiln-wide-${COMMITS}x${PARAMS + METRICS}`);
  if (!existsSync(path.join(repo, '.git')))
    makeWideRepo(repo, { commits: COMMITS, params: PARAMS, metrics: METRICS });
  const server = await startKiln(await mkdtemp(path.join(tmpdir(), 'kiln-bench-ui-')));
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const base = await addWideProject(page, server.loginUrl.href, repo);
    // The table is built once before the first measured navigation (table.cold measures that).
    await page.request.get(`${base}/api/projects/wide/table?limit=1`, { timeout: 600_000 });
    const runs: Array<Record<string, number>> = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await context.newPage();
      await p.goto(base);
      runs.push(await openTable(p));
      await p.close();
    }
    const sum = (k: string) => runs.reduce((a, r) => a + (r[k] ?? 0), 0);
    const frames = sum('scrollFrames') + sum('wheelFrames');
    const missed = sum('scrollMissed') + sum('wheelMissed');
    const worst = Math.max(...runs.map((r) => Math.max(r.scrollWorstFrameMs ?? 0, r.wheelWorstMs ?? 0)));
    return [
      {
        name: 'ui.first_rows',
        value: median(runs.map((r) => r.firstRowsMs ?? NaN)),
        unit: 'ms (target < 500)',
      },
      { name: 'ui.all_rows', value: median(runs.map((r) => r.allRowsMs ?? NaN)), unit: 'ms' },
      {
        name: 'ui.scroll',
        value: round((100 * missed) / Math.max(1, frames), 2),
        unit: `% of ${frames} frames missed their 16.7 ms slot (target ≤ 1)`,
      },
      { name: 'ui.scroll_worst_frame', value: worst, unit: 'ms (target ≤ 50)' },
      {
        name: 'ui.long_tasks',
        value: median(runs.map((r) => r.longTasks ?? NaN)),
        unit: 'long tasks while loading',
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}
