import type { Experiment } from '../../../src/contracts/experiments.js';

const KIND_WORDS: Record<string, string> = {
  local: 'this server’s machine',
  ssh: 'SSH host',
  slurm: 'Slurm job',
  kubernetes: 'Kubernetes Job',
  aws: 'EC2 instance',
  gcp: 'Compute Engine VM',
  azure: 'Azure VM',
};

/** "Slurm job 42 · slurm-1 on node3" / "EC2 instance i-0ab… in us-west-1b". */
export function whereText(exp: Pick<Experiment, 'placement'>): string | null {
  const p = exp.placement;
  if (!p) return null;
  const what = KIND_WORDS[p.target] ?? p.target;
  if (p.target === 'local') return p.detail || p.id;
  return [
    `${what} ${p.id}`,
    p.zone ? `in ${p.zone}` : null,
    p.detail && p.detail !== p.id ? `· ${p.detail}` : null,
  ]
    .filter(Boolean)
    .join(' ');
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
