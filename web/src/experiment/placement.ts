import type { Experiment } from '../../../src/contracts/experiments.js';

/**
 * Where a run ran, as its machine told the server ("Slurm job 42 on node3", "aws instance
 * i-0ab… in us-west-1b on ip-10-0-0-5", "ssh kiln@gpu1:22 pid 812 on gpu1").
 */
export function whereText(exp: Pick<Experiment, 'placement'>): string | null {
  const p = exp.placement;
  if (!p) return null;
  return p.detail || p.id;
}

/**
 * USD spent so far: the machine's hourly on-demand price over the time since its run was claimed
 * (to the end for a finished run). Null where no price is known.
 */
export function costSoFar(
  exp: Pick<Experiment, 'placement' | 'finishedAt'>,
  now: number = Date.now(),
): number | null {
  const p = exp.placement;
  if (!p || p.pricePerHour === null) return null;
  const end = p.endedAt ?? exp.finishedAt;
  const ms = Math.max(0, (end ? Date.parse(end) : now) - Date.parse(p.startedAt));
  return (p.pricePerHour * ms) / 3_600_000;
}
