import type { ComputeKind } from '../../contracts/compute.js';
import type { AgentPlacement } from '../../store/port.js';

/** What the server knows of one agent token: its target and where the agent runs. */
export interface AgentRecord {
  target: string;
  kind: ComputeKind;
  id: string | null;
  detail: string;
  /** Cloud machines: their zone and on-demand hourly price, for the row's cost so far. */
  zone: string | null;
  pricePerHour: number | null;
}

/**
 * A cloud VM's user data holds a *bootstrap* token only: the startup script trades it once for
 * the agent's real token (`POST /api/agents/exchange`), which revokes it, so whoever reads the
 * user data later holds a dead token. Only the exchange route takes this scope.
 */
export const BOOTSTRAP_SCOPE = 'agent-bootstrap';
/** An unexchanged bootstrap token is refused after this long. */
export const BOOTSTRAP_TTL_MS = 30 * 60_000;

export const toPlacement = (r: AgentRecord): AgentPlacement => ({
  target: r.target,
  kind: r.kind,
  machineId: r.id,
  detail: r.detail,
  zone: r.zone,
  pricePerHour: r.pricePerHour,
});

export const fromPlacement = (p: AgentPlacement): AgentRecord => ({
  target: p.target,
  kind: p.kind,
  id: p.machineId,
  detail: p.detail,
  zone: p.zone,
  pricePerHour: p.pricePerHour,
});
