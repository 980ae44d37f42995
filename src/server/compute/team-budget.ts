import type { TeamSpend } from '../../contracts/budget.js';
import { isFinished } from '../../contracts/experiments.js';
import type { ExperimentStatus } from '../../contracts/api.js';
import type { ResolvedMachine } from '../../contracts/compute.js';
import type { TeamBudgetRecord } from '../../store/kysely-budget.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import { machineOf, profileOf } from './variants.js';

/** The first instant of the month (UTC) `now` falls in. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

const cents = (usd: number) => Math.round(usd * 100) / 100;
export const dollars = (usd: number) => `$${Number.isInteger(usd) ? String(usd) : cents(usd).toFixed(2)}`;

/**
 * A team's month: finished runs cost their machine's price over the time they ran (from start
 * to finish, within this month); runs queued or under way reserve their most, price × timeout.
 * Machines without a known price (SSH, Slurm, Kubernetes, unlisted types) count nothing.
 */
export async function teamSpend(store: Store, team: TeamBudgetRecord, now = new Date()): Promise<TeamSpend> {
  const start = monthStart(now);
  const runs = await store.budget.runsSince(team.id, start.toISOString());
  const machines = new Map<string, ResolvedMachine | null>();
  let spent = 0;
  let reserved = 0;
  let counted = 0;
  for (const r of runs) {
    const m = await machineOf(store, r.target, r.timeoutSec, machines).catch(() => null);
    if (!m || m.pricePerHour === null) continue;
    counted++;
    if (isFinished(r.status as ExperimentStatus)) {
      if (!r.startedAt) continue;
      const from = Math.max(Date.parse(r.startedAt), start.getTime());
      const to = Date.parse(r.finishedAt ?? r.startedAt);
      spent += (m.pricePerHour * Math.max(0, to - from)) / 3_600_000;
    } else reserved += m.estimate ?? 0;
  }
  const cap = team.monthlyCapUsd;
  return {
    team: team.name,
    teamId: team.id,
    month: start.toISOString().slice(0, 7),
    capUsd: cap,
    spentUsd: cents(spent),
    reservedUsd: cents(reserved),
    leftUsd: cap === null ? null : cents(Math.max(0, cap - spent - reserved)),
    runs: counted,
  };
}

/**
 * Refuses, at submit time, a run (or sweep of `count` runs) on a profile the project's team may
 * not use, or one whose most possible cost would pass the team's monthly cap, with the figures.
 */
export async function checkRunBudget(
  store: Store,
  project: string,
  placed: { target: string; machine: ResolvedMachine | null },
  count: number,
): Promise<void> {
  if (placed.target === 'local') return;
  const team = await store.budget.teamOfProject(project);
  if (!team) return;
  const profile = profileOf(placed.target);
  const allowed = await store.budget.profileTeams(profile);
  if (allowed.length > 0 && !allowed.includes(team.id))
    throw new ApiFailure(
      'forbidden',
      `compute profile ${profile} is not open to team ${team.name}, which owns project ${project}`,
      'an instance admin can add the team in the profile settings (Settings → Compute profiles)',
    );
  if (team.monthlyCapUsd === null || !placed.machine) return;
  const what = count > 1 ? `this sweep of ${count} runs` : 'this run';
  if (placed.machine.estimate === null)
    throw new ApiFailure(
      'forbidden',
      `${what} uses ${placed.machine.type}, whose price Kiln does not know, and team ${team.name} has a monthly cap of ${dollars(team.monthlyCapUsd)}`,
      'choose a machine type with a listed price, or ask a team owner to lift the cap',
    );
  const most = placed.machine.estimate * count;
  const spend = await teamSpend(store, team);
  const left = spend.leftUsd ?? Infinity;
  if (most > left)
    throw new ApiFailure(
      'forbidden',
      `${what} may cost up to ${dollars(cents(most))}; team ${team.name} has ${dollars(left)} left of ${dollars(team.monthlyCapUsd)} this month`,
      `spent ${dollars(spend.spentUsd)}, ${dollars(spend.reservedUsd)} reserved by runs queued or under way; a shorter timeout or a cheaper machine lowers the most a run may cost`,
    );
}
