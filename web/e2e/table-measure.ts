/**
 * Opens the experiments table of project `wide` in a real browser and measures it: bytes of every
 * table request, time from navigation to the first rows and to every row, the main thread's long
 * tasks meanwhile, then frames while a script jumps through it page by page and while the mouse
 * wheel flings it. Used by `npm run bench -- --only ui` and web/e2e/table-wide-measure.ts.
 */
import type { Page } from 'playwright-core';

/**
 * Signs `page` in with the server's login link, adds `repo` as project `wide` and waits for its
 * first fetch; resolves with the server's origin.
 */
export async function addWideProject(page: Page, loginUrl: string, repo: string): Promise<string> {
  await page.goto(loginUrl);
  await page.waitForURL((u) => u.pathname === '/', { timeout: 30_000 });
  const base = new URL(page.url()).origin;
  const add = await page.request.post(`${base}/api/projects`, { data: { name: 'wide', source: repo } });
  if (!add.ok()) throw new Error(`adding the wide project: ${String(add.status())} ${await add.text()}`);
  for (;;) {
    const p = (await (await page.request.get(`${base}/api/projects/wide`, { timeout: 600_000 })).json()) as {
      fetch: { state: string; error?: string };
    };
    if (p.fetch.state === 'ok') return base;
    if (p.fetch.state === 'error') throw new Error(p.fetch.error);
    await page.waitForTimeout(200);
  }
}

type Cdp = Awaited<ReturnType<ReturnType<Page['context']>['newCDPSession']>>;

async function startProfile(page: Page, when: string): Promise<Cdp | null> {
  if (process.env.PROFILE !== when) return null;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  return cdp;
}

/** Prints the functions with the most self time (minified: file:line:column). */
async function stopProfile(cdp: Cdp | null): Promise<void> {
  if (!cdp) return;
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map<string, number>();
  const dt = profile.timeDeltas ?? [];
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  (profile.samples ?? []).forEach((id, i) => {
    const n = byId.get(id);
    const f = n
      ? `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop() ?? ''}:${String(n.callFrame.lineNumber)}:${String(n.callFrame.columnNumber)}`
      : '?';
    self.set(f, (self.get(f) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [f, ms] of top) console.log(`${ms.toFixed(0).padStart(6)} ms  ${f}`);
}

export async function openTable(page: Page): Promise<Record<string, number>> {
  let bytes = 0;
  let requests = 0;
  page.on('response', (r) => {
    if (!r.url().includes('/table?')) return;
    requests++;
    void r
      .body()
      .then((b) => (bytes += b.length))
      .catch(() => undefined);
  });
  await page.goto('about:blank');
  const loadProfile = await startProfile(page, 'load');
  const t0 = Date.now();
  await page.goto(new URL('/projects/wide', page.context().pages()[0]?.url() ?? '').href);
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.locator('.grid .row:not(.row-skeleton)').first().waitFor({ timeout: 120_000 });
  const first = Date.now() - t0;
  await page.locator('.statusbar').filter({ hasNotText: 'loading' }).waitFor({ timeout: 600_000 });
  const all = Date.now() - t0;
  await stopProfile(loadProfile);
  await page.waitForTimeout(500);
  const long = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  const cdp = await startProfile(page, 'scroll');
  const jumpScroll = process.env.JUMP !== '0';
  // Scroll through the loaded table and count frames slower than 50 ms.
  const scroll = await page.evaluate(async (jump) => {
    if (!jump) return { frames: 0, missed: 0, slow: 0, worst: 0 };
    const grid = document.querySelector('.grid');
    if (!grid) return { frames: 0, missed: 0, slow: 0, worst: 0 };
    const times: number[] = [];
    let last = performance.now();
    for (let i = 0; i < 120; i++) {
      grid.scrollTop += 900;
      if (i % 10 === 0) grid.scrollLeft += 600;
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    return {
      frames: times.length,
      // A frame that missed its 16.7 ms slot shows as an interval of about two slots.
      missed: times.filter((t) => t > 25).length,
      slow: times.filter((t) => t > 50).length,
      worst: Math.max(...times),
    };
  }, jumpScroll);
  // Wheel scrolling as a user does it: frame intervals while 60 wheel ticks of 100 px go by.
  const box = await page.locator('.grid').boundingBox();
  if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // A string, not a function: tsx would wrap a named inner function in a helper the page lacks.
  await page.evaluate(`(() => {
    window.frames_ = [];
    window.stop_ = false;
    let last = performance.now();
    const tick = (now) => {
      window.frames_.push(now - last);
      last = now;
      if (!window.stop_) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  for (let i = 0; i < 60; i++) {
    await page.mouse.wheel(0, 100);
    await page.waitForTimeout(16);
  }
  await stopProfile(cdp);
  const frames = await page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; stop_: boolean };
    w.stop_ = true;
    return w.frames_.slice(1).sort((a, b) => a - b);
  });
  const pct = (p: number) =>
    Math.round(frames[Math.min(frames.length - 1, Math.floor(frames.length * p))] ?? 0);
  return {
    wheelFrames: frames.length,
    wheelP50Ms: pct(0.5),
    wheelP95Ms: pct(0.95),
    wheelOver50: frames.filter((f) => f > 50).length,
    wheelMissed: frames.filter((f) => f > 25).length,
    wheelWorstMs: Math.round(frames.at(-1) ?? 0),
    requests,
    mb: Math.round((bytes / 1e6) * 10) / 10,
    firstRowsMs: first,
    allRowsMs: all,
    longTasks: long.length,
    longTaskMaxMs: Math.round(Math.max(0, ...long)),
    longTaskSumMs: Math.round(long.reduce((a, b) => a + b, 0)),
    scrollFrames: scroll.frames,
    scrollMissed: scroll.missed,
    scrollSlowFrames: scroll.slow,
    scrollWorstFrameMs: Math.round(scroll.worst),
  };
}
