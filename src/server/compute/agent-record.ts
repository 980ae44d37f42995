import { z } from 'zod';
import { ComputeKind } from '../../contracts/compute.js';
import type { Store } from '../../store/port.js';

/** What the server knows of one agent token: its target and where the agent runs. */
export const AgentRecord = z.object({
  target: z.string(),
  kind: ComputeKind,
  id: z.string().nullable(),
  detail: z.string(),
  /** Cloud machines: their zone and on-demand hourly price, for the row's cost so far. */
  zone: z.string().nullable().default(null),
  pricePerHour: z.number().nullable().default(null),
});
export type AgentRecord = z.infer<typeof AgentRecord>;

/**
 * A cloud VM's user data holds a *bootstrap* token only: the startup script trades it once for
 * the agent's real token (`POST /api/agents/exchange`), which revokes it, so whoever reads the
 * user data later holds a dead token. Only the exchange route takes this scope.
 */
export const BOOTSTRAP_SCOPE = 'agent-bootstrap';
/** An unexchanged bootstrap token is refused after this long. */
export const BOOTSTRAP_TTL_MS = 30 * 60_000;

export const agentKey = (tokenId: string) => `compute.agent.${tokenId}`;
/** The real token a bootstrap token was exchanged for (machines are tagged with the bootstrap id). */
export const exchangedKey = (bootstrapId: string) => `compute.exchanged.${bootstrapId}`;
/** Until when a bootstrap token may be exchanged (ISO time). */
export const bootstrapKey = (bootstrapId: string) => `compute.bootstrap.${bootstrapId}`;

/** An exchanged token's record points at its bootstrap token's, which the launch keeps writing. */
const Via = z.object({ via: z.string() });

/** The record of an agent token, through an exchange; null for tokens no backend minted. */
export async function readAgentRecord(store: Store, tokenId: string): Promise<AgentRecord | null> {
  let raw = await store.getSetting(agentKey(tokenId));
  const via = raw ? Via.safeParse(JSON.parse(raw)) : null;
  if (via?.success) raw = await store.getSetting(agentKey(via.data.via));
  const r = raw ? AgentRecord.safeParse(JSON.parse(raw)) : null;
  return r?.success ? r.data : null;
}

/** The token a bootstrap token was exchanged for, if it was. */
export function exchangedTo(store: Store, bootstrapId: string): Promise<string | null> {
  return store.getSetting(exchangedKey(bootstrapId));
}
