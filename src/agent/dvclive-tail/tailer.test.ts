import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LiveEvent, PlotRow } from '../../contracts/live.js';
import { DvcliveTailer, LiveOutage } from './tailer.js';

const SHA = 'ffffffff0123456789abcdef0123456789abcdef';

/** Writes files the way DVCLive does: a TSV row appended per step, metrics.json rewritten. */
class FakeDvclive {
  constructor(readonly root: string) {
    mkdirSync(path.join(root, 'dvclive/plots/metrics/train'), { recursive: true });
    writeFileSync(path.join(root, 'dvclive/params.yaml'), 'lr: 0.01\nepochs: 3\n');
  }
  log(step: number, acc: number, loss: number) {
    const tsv = (file: string, col: string, v: number) => {
      const p = path.join(this.root, 'dvclive/plots/metrics', file);
      if (step === 0) writeFileSync(p, `step\t${col}\n`);
      appendFileSync(p, `${step}\t${v}\n`);
    };
    tsv('acc.tsv', 'acc', acc);
    tsv('train/loss.tsv', 'loss', loss);
    writeFileSync(
      path.join(this.root, 'dvclive/metrics.json'),
      JSON.stringify({ train: { loss }, acc, step }, null, 4),
    );
  }
}

function collector() {
  const events: LiveEvent[] = [];
  let failNext = 0;
  return {
    events,
    failNext(n: number) {
      failNext = n;
    },
    send: async (e: LiveEvent) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('server down');
      }
      events.push(structuredClone(e));
    },
  };
}

function rowsOf(events: LiveEvent[], file: string): PlotRow[] {
  return events.flatMap((e) => (e.type === 'data' ? (e.plots?.[file]?.data ?? []) : []));
}

describe('DvcliveTailer', () => {
  it("never reports the baseline commit's own DVCLive files, only what the job writes", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kiln-tail-'));
    const old = new FakeDvclive(root);
    for (let step = 0; step < 5; step++) old.log(step, 0.9, 0.1);
    const c = collector();
    const t = new DvcliveTailer({
      workspace: root,
      repoUrl: 'r',
      baselineSha: SHA,
      name: 'e0',
      send: c.send,
    });
    await t.prime();
    await t.poll();
    expect(c.events.map((e) => e.type)).toEqual(['start']);
    await new Promise((r) => setTimeout(r, 20));
    old.log(0, 0.5, 1);
    await t.poll();
    await t.stop();
    expect(rowsOf(c.events, 'dvclive/plots/metrics/acc.tsv')).toEqual([{ step: 0, acc: 0.5 }]);
    rmSync(root, { recursive: true, force: true });
  });

  it('reports each step once as DVCLive writes it, then done', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kiln-tail-'));
    const c = collector();
    const t = new DvcliveTailer({
      workspace: root,
      repoUrl: 'git@h:o/r.git',
      baselineSha: SHA,
      name: 'e1',
      send: c.send,
    });
    const live = new FakeDvclive(root);
    await t.poll();
    expect(c.events.map((e) => e.type)).toEqual(['start']);
    for (let step = 0; step < 3; step++) {
      live.log(step, 0.5 + step / 10, 1 / (step + 1));
      await t.poll();
      await t.poll();
    }
    await t.stop({ experimentRev: 'a'.repeat(40) });
    expect(c.events.map((e) => e.type)).toEqual(['start', 'data', 'data', 'data', 'done']);
    expect(rowsOf(c.events, 'dvclive/plots/metrics/acc.tsv')).toEqual([
      { step: 0, acc: 0.5 },
      { step: 1, acc: 0.6 },
      { step: 2, acc: 0.7 },
    ]);
    expect(rowsOf(c.events, 'dvclive/plots/metrics/train/loss.tsv').map((r) => r.step)).toEqual([0, 1, 2]);
    const last = c.events[3];
    expect(last?.type === 'data' && last.step).toBe(2);
    expect(last?.metrics?.['dvclive/metrics.json']?.data).toEqual({
      train: { loss: 1 / 3 },
      acc: 0.7,
      step: 2,
    });
    expect(last?.params).toEqual({ 'dvclive/params.yaml': { lr: 0.01, epochs: 3 } });
    expect(c.events[4]).toMatchObject({
      type: 'done',
      experiment_rev: 'a'.repeat(40),
      name: 'e1',
      baseline_sha: SHA,
    });
    rmSync(root, { recursive: true, force: true });
  });

  it('resends what a failed post carried, and a half-written line waits for its newline', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kiln-tail-'));
    const c = collector();
    const t = new DvcliveTailer({
      workspace: root,
      repoUrl: 'r',
      baselineSha: SHA,
      name: 'e2',
      send: c.send,
    });
    const live = new FakeDvclive(root);
    live.log(0, 0.5, 1);
    c.failNext(2);
    await t.poll();
    await t.poll();
    expect(t.failures).toBe(2);
    appendFileSync(path.join(root, 'dvclive/plots/metrics/acc.tsv'), '1\t0.');
    await t.poll();
    expect(rowsOf(c.events, 'dvclive/plots/metrics/acc.tsv')).toEqual([{ step: 0, acc: 0.5 }]);
    appendFileSync(path.join(root, 'dvclive/plots/metrics/acc.tsv'), '75\n');
    await t.poll();
    expect(rowsOf(c.events, 'dvclive/plots/metrics/acc.tsv')).toEqual([
      { step: 0, acc: 0.5 },
      { step: 1, acc: 0.75 },
    ]);
    rmSync(root, { recursive: true, force: true });
  });

  it('follows plots and metrics that dvc.yaml names, and starts over when DVCLive does', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kiln-tail-'));
    const c = collector();
    writeFileSync(
      path.join(root, 'dvc.yaml'),
      'metrics:\n  - eval/metrics.json\nplots:\n  - eval/curve.csv:\n      x: step\n      y: f1\n',
    );
    mkdirSync(path.join(root, 'eval'));
    writeFileSync(path.join(root, 'eval/metrics.json'), '{"f1": 0.4}');
    writeFileSync(path.join(root, 'eval/curve.csv'), 'step,f1\n0,0.1\n1,0.4\n');
    const t = new DvcliveTailer({
      workspace: root,
      repoUrl: 'r',
      baselineSha: SHA,
      name: 'e3',
      send: c.send,
    });
    await t.poll();
    const data = c.events.find((e) => e.type === 'data');
    expect(data?.metrics?.['eval/metrics.json']?.data).toEqual({ f1: 0.4 });
    expect(rowsOf(c.events, 'eval/curve.csv')).toEqual([
      { step: 0, f1: 0.1 },
      { step: 1, f1: 0.4 },
    ]);
    writeFileSync(path.join(root, 'eval/curve.csv'), 'step,f1\n0,0.2\n');
    await t.poll();
    expect(rowsOf(c.events, 'eval/curve.csv').at(-1)).toEqual({ step: 0, f1: 0.2 });
    rmSync(root, { recursive: true, force: true });
  });

  it('a plot file the job creates after the first scan is still delivered whole by the final report', async () => {
    // As in a real job: the tailer is primed and scans once before the script has created any
    // of DVCLive's files; the job then runs for less than ten scans and ends.
    const root = mkdtempSync(path.join(tmpdir(), 'kiln-tail-'));
    const c = collector();
    const t = new DvcliveTailer({
      workspace: root,
      repoUrl: 'r',
      baselineSha: SHA,
      name: 'e4',
      send: c.send,
    });
    await t.prime();
    await t.poll();
    expect(c.events.map((e) => e.type)).toEqual(['start']);
    const live = new FakeDvclive(root);
    for (let step = 0; step < 3; step++) {
      live.log(step, 0.5, 1 / (step + 1));
      await t.poll();
    }
    // Live, not only at the end: DVCLive's new files are found on the next scan.
    expect(rowsOf(c.events, 'dvclive/plots/metrics/acc.tsv').map((r) => r.step)).toEqual([0, 1, 2]);
    // A plot that only dvc.yaml names, written last, is found by the final scan.
    mkdirSync(path.join(root, 'eval'));
    writeFileSync(path.join(root, 'dvc.yaml'), 'plots:\n  - eval/f1.csv:\n      x: step\n      y: f1\n');
    writeFileSync(path.join(root, 'eval/f1.csv'), 'step,f1\n1,0.2\n2,0.4\n');
    await t.stop();
    expect(rowsOf(c.events, 'eval/f1.csv').map((r) => r.step)).toEqual([1, 2]);
    expect(rowsOf(c.events, 'dvclive/plots/metrics/train/loss.tsv').map((r) => r.step)).toEqual([0, 1, 2]);
    rmSync(root, { recursive: true, force: true });
  });

  it('a run that ran whole while its server was away delivers every point once it is back; a refusing server is given up on', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kiln-tail-'));
    const live = new FakeDvclive(root);
    // The server is down (connection refused) from before the start until 600 ms after the end.
    let backAt = Number.POSITIVE_INFINITY;
    const events: LiveEvent[] = [];
    const t = new DvcliveTailer({
      workspace: root,
      repoUrl: 'git@h:o/r.git',
      baselineSha: SHA,
      name: 'e1',
      send: async (e) => {
        if (Date.now() < backAt) throw new LiveOutage('connect ECONNREFUSED');
        events.push(structuredClone(e));
      },
    });
    for (let step = 0; step < 4; step++) {
      live.log(step, 0.5, 1 / (step + 1));
      await t.poll();
    }
    backAt = Date.now() + 600;
    const started = Date.now();
    // The answer deadline (100 ms) passes while the server is away; the away deadline does not.
    await t.stop({}, started + 100, started + 10_000);
    expect(events.map((e) => e.type)).toEqual(['start', 'data', 'done']);
    expect(rowsOf(events, 'dvclive/plots/metrics/acc.tsv').map((r) => r.step)).toEqual([0, 1, 2, 3]);

    // A server that answers but refuses (4xx) is not waited for past the answer deadline.
    const refused = new DvcliveTailer({
      workspace: root,
      repoUrl: 'git@h:o/r.git',
      baselineSha: SHA,
      name: 'e2',
      send: async () => {
        throw new Error('live post answered 403');
      },
    });
    const t0 = Date.now();
    await refused.stop({}, t0 + 300, t0 + 60_000);
    expect(Date.now() - t0).toBeLessThan(30_000);
    rmSync(root, { recursive: true, force: true });
  });
});
