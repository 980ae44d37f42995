import type { CiCheck, CiState } from '../../contracts/ci.js';

const RANK: Record<CiState, number> = { failed: 5, running: 4, pending: 3, cancelled: 2, passed: 1, none: 0 };

/** The commit's overall CI state: failed beats running beats pending beats cancelled beats passed. */
export function combineStates(checks: readonly CiCheck[]): CiState {
  let best: CiState = 'none';
  for (const c of checks) if (RANK[c.state] > RANK[best]) best = c.state;
  return best;
}
