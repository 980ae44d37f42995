import type { Experiment } from '../../../src/contracts/experiments.js';

export interface Timings {
  /** Queued → started (or now, while queued). */
  waitMs: number | null;
  /** Started → finished (null while running: the page shows a live clock). */
  runMs: number | null;
}

export function timings(exp: Experiment, now = Date.now()): Timings {
  const created = Date.parse(exp.createdAt);
  const started = exp.startedAt ? Date.parse(exp.startedAt) : null;
  const finished = exp.finishedAt ? Date.parse(exp.finishedAt) : null;
  return {
    waitMs: started !== null ? started - created : finished !== null ? finished - created : now - created,
    runMs: started !== null && finished !== null ? finished - started : null,
  };
}

export interface Attempt {
  n: number;
  entries: Experiment['timeline'];
}

/** The timeline split into attempts: each `starting` opens a new one; what came before is attempt 1's queue. */
export function attempts(timeline: Experiment['timeline']): Attempt[] {
  const out: Attempt[] = [];
  for (const t of timeline) {
    const cur = out[out.length - 1];
    if (!cur || (t.status === 'starting' && cur.entries.some((e) => e.status === 'starting'))) {
      out.push({ n: out.length + 1, entries: [t] });
    } else cur.entries.push(t);
  }
  return out;
}
