import path from 'node:path';
import type { Value } from '../../contracts/api.js';
import type { LiveEvent, LivePlot, PlotRow } from '../../contracts/live.js';
import { isImagePath } from '../../core/live/plot-defs.js';
import { readFile } from 'node:fs/promises';
import {
  dvclivePlots,
  fileState,
  listFiles,
  readObject,
  readStepRows,
  watchedFiles,
  type FileState,
} from './scan.js';

/**
 * The live endpoint could not be reached, or a balancer said the server behind it is gone
 * (5xx): the server is away, not refusing, so the events are worth sending again later.
 */
export class LiveOutage extends Error {
  override name = 'LiveOutage';
}

/** Delivers one event; rejects when the server did not take it (the tailer then resends later). */
export type LiveSender = (event: LiveEvent) => Promise<void>;

export interface DvcliveTailerOptions {
  /** The workspace: the directory holding `dvclive/` and `dvc.yaml`. */
  workspace: string;
  /** As DVCLive would send them: the repo's remote URL, `DVC_EXP_BASELINE_REV`, `DVC_EXP_NAME`. */
  repoUrl: string;
  baselineSha: string;
  name: string;
  send: LiveSender;
  /** DVCLive's output directory, relative to the workspace (default `dvclive`). */
  dvcliveDir?: string;
  /** Scan interval (default 1000 ms). */
  intervalMs?: number;
}

/**
 * Follows DVCLive's files in a running job's workspace and reports them as live events, for code
 * that never configured DVCLive to post itself. Reads only; one request in flight at most, so a
 * slow or absent server never holds training up. Rows are keyed by step on the server, so rows
 * DVCLive also posts itself, or that are resent after a failure, are never doubled.
 */
export class DvcliveTailer {
  private readonly dir: string;
  private readonly acked = new Map<string, number>();
  private readonly seen = new Map<string, FileState>();
  private watched: { metrics: string[]; plots: string[] } | null = null;
  private scans = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private started = false;
  /** Sends that failed; the data they carried is sent again by a later scan. */
  failures = 0;
  /** Whether the last failed send found the server away (unreachable, 5xx) rather than refusing. */
  private away = false;

  constructor(private readonly opts: DvcliveTailerOptions) {
    this.dir = opts.dvcliveDir ?? 'dvclive';
  }

  /**
   * Remembers the files the workspace holds before the job starts (the baseline commit's own
   * metrics and plots), so only what the job writes is reported, never the baseline's old rows.
   */
  async prime(): Promise<void> {
    this.watched = await watchedFiles(this.opts.workspace, this.dir);
    for (const f of [...this.watched.metrics, ...this.watched.plots]) {
      const st = await fileState(path.join(this.opts.workspace, f));
      if (st) this.seen.set(f, st);
    }
  }

  /** Sends `start` and scans every `intervalMs` until {@link stop}. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
    void this.tick();
  }

  /**
   * Stops scanning; sends what is left, then `done` (with the result commit when known). Through
   * a server's restart both are sent again until they get through, or until `untilMs` — or, while
   * the server is away rather than refusing, until `awayUntilMs` (the agent's grace period: a run
   * that ran whole while its server was down still has every point to deliver).
   */
  async stop(
    result: { experimentRev?: string } = {},
    untilMs = Date.now() + 15_000,
    awayUntilMs = untilMs,
  ): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    const done: LiveEvent = {
      type: 'done',
      ...this.base(),
      ...(result.experimentRev ? { experiment_rev: result.experimentRev } : {}),
    };
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      if ((await this.poll(true).catch(() => false)) && (await this.deliver(done))) return;
      if (Date.now() + delay > (this.away ? Math.max(untilMs, awayUntilMs) : untilMs)) return;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /**
   * One scan: sends `start` first, then a `data` event with whatever changed. Resolves when sent,
   * to whether everything got through. The `final` scan (at {@link stop}) looks for new files
   * everywhere they may be, whenever the last full look was.
   */
  async poll(final = false): Promise<boolean> {
    if (!this.started) {
      const ok = await this.deliver({ type: 'start', ...this.base() });
      if (!ok) return false;
      this.started = true;
    }
    const event = await this.collect(final);
    if (!event) return true;
    if (await this.deliver(event.event)) {
      for (const [f, step] of event.steps) this.acked.set(f, step);
      return true;
    }
    for (const f of event.files) this.seen.delete(f);
    return false;
  }

  private tick(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.poll()
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private base() {
    return {
      repo_url: this.opts.repoUrl,
      baseline_sha: this.opts.baselineSha,
      name: this.opts.name,
      client: 'kiln',
    };
  }

  private async deliver(e: LiveEvent): Promise<boolean> {
    try {
      await this.opts.send(e);
      this.away = false;
      return true;
    } catch (err) {
      this.failures++;
      this.away = err instanceof LiveOutage;
      return false;
    }
  }

  private async collect(
    final: boolean,
  ): Promise<{ event: LiveEvent; steps: Map<string, number>; files: string[] } | null> {
    // Files appear while the job runs (DVCLive creates its plots at the first step, often after
    // the first scan): DVCLive's own directory is listed on every scan, and everything dvc.yaml
    // names, which needs the whole tree, every tenth scan and at the final one. A file first seen
    // late is sent whole, so a list read once before the job wrote anything loses no point.
    if (!this.watched || final || this.scans % 10 === 0)
      this.watched = await watchedFiles(this.opts.workspace, this.dir);
    else {
      const known = new Set(this.watched.plots);
      const fresh = dvclivePlots(await listFiles(this.opts.workspace, this.dir), this.dir);
      this.watched.plots.push(...fresh.filter((f) => !known.has(f)));
    }
    this.scans++;
    const abs = (f: string) => path.join(this.opts.workspace, f);
    const metrics: Record<string, { data: Record<string, Value> }> = {};
    const plots: Record<string, LivePlot> = {};
    const steps = new Map<string, number>();
    let step = -1;
    for (const f of this.watched.metrics) {
      if (!(await this.changed(f))) continue;
      const data = await readObject(abs(f));
      if (!data) continue;
      metrics[f] = { data };
      if (typeof data.step === 'number') step = Math.max(step, data.step);
    }
    for (const f of this.watched.plots) {
      if (!(await this.changed(f))) continue;
      if (isImagePath(f)) {
        const bytes = await readFile(abs(f)).catch(() => null);
        if (bytes) plots[f] = { image: bytes.toString('base64') };
        continue;
      }
      const rows = await readStepRows(abs(f));
      if (!rows) continue;
      const last = rows.reduce((m, r) => Math.max(m, typeof r.step === 'number' ? r.step : -1), -1);
      // DVCLive starts over from step 0 when a run restarts in the same workspace.
      if (last < (this.acked.get(f) ?? -1)) this.acked.delete(f);
      const fresh: PlotRow[] = rows.filter(
        (r) => typeof r.step === 'number' && r.step > (this.acked.get(f) ?? -1),
      );
      if (fresh.length === 0) continue;
      plots[f] = { data: fresh };
      steps.set(f, last);
      step = Math.max(step, last);
    }
    if (Object.keys(metrics).length === 0 && Object.keys(plots).length === 0) return null;
    const params = await readObject(abs(`${this.dir}/params.yaml`));
    const event: LiveEvent = {
      type: 'data',
      ...this.base(),
      step: Math.max(0, step),
      metrics,
      ...(params ? { params: { [`${this.dir}/params.yaml`]: params } } : {}),
      ...(Object.keys(plots).length > 0 ? { plots } : {}),
    };
    return { event, steps, files: [...Object.keys(metrics), ...Object.keys(plots)] };
  }

  /** True when the file's size or mtime moved since the last scan that read it. */
  private async changed(f: string): Promise<boolean> {
    const st = await fileState(path.join(this.opts.workspace, f));
    if (!st) return false;
    const prev = this.seen.get(f);
    if (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs) return false;
    this.seen.set(f, st);
    return true;
  }
}
