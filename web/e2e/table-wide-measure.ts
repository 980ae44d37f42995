/**
 * Measures the experiments table on a wide repo in a real browser: bytes of every table request, time
 * from navigation to the first rows, to every row, and the main thread's long tasks meanwhile.
 * Run: npx tsx web/e2e/table-wide-measure.ts [commits] [params] [metrics]   (needs `npm run build`)
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.js';
import { freePort, startKiln } from './server.js';
import { addWideProject, openTable } from './table-measure.js';
import { makeWideRepo } from './table-wide-repo.js';

const [commits = 10_000, params = 250, metrics = 250] = process.argv.slice(2).map(Number);
const repo = join(tmpdir(), `kiln-wide-${String(commits)}x${String(params + metrics)}`);
if (!existsSync(join(repo, '.git'))) makeWideRepo(repo, { commits, params, metrics });

const home = await mkdtemp(join(tmpdir(), 'kiln-wide-'));
const server = await startKiln(home, await freePort());
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const t0 = Date.now();
  const base = await addWideProject(page, server.loginUrl, repo);
  const warm = await page.request.get(`${base}/api/projects/wide/table?limit=1`, { timeout: 600_000 });
  console.log(JSON.stringify({ coldBuildMs: Date.now() - t0, warm: warm.status() }));
  for (let run = 0; run < Number(process.env.RUNS ?? 2); run++) {
    const p = await context.newPage();
    await p.goto(base);
    console.log(JSON.stringify(await openTable(p)));
    await p.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
