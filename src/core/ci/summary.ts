import type { CiCheck, CiState, CmlReport, CommitCiSummary } from '../../contracts/ci.js';
import { combineStates } from './ci-state.js';

/** The link the table's CI badge opens: the check that decided the overall state, else the first with a page. */
export function summaryUrl(checks: readonly CiCheck[]): string | null {
  const state = combineStates(checks);
  return checks.find((c) => c.state === state && c.url)?.url ?? checks.find((c) => c.url)?.url ?? null;
}

/** The newest CML report's page. */
export function newestReport(reports: readonly CmlReport[]): string | null {
  let best: CmlReport | null = null;
  for (const r of reports) if (!best || r.createdAt > best.createdAt) best = r;
  return best?.url ?? null;
}

const ACTIVE: ReadonlySet<CiState> = new Set(['pending', 'running']);

/**
 * How long a cached status stays fresh: short while CI is still going, longer once it settled,
 * longest for commits no CI reported on (most of a history). Webhooks invalidate sooner.
 */
export function freshFor(
  state: string,
  ttl: { activeMs: number; settledMs: number; noneMs: number },
): number {
  if (ACTIVE.has(state as CiState)) return ttl.activeMs;
  return state === 'none' ? ttl.noneMs : ttl.settledMs;
}

export const NO_CI: CommitCiSummary = { state: 'none', url: null, pr: null, cml: null };
