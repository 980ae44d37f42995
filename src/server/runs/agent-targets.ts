/**
 * An agent's target is fixed by its token; it is looked up again this often only so the
 * reconciler keeps seeing the agent as alive (it counts an agent silent for 2 minutes as gone).
 */
const AGENT_REFRESH_MS = 30_000;

/** The target each agent token serves ('' for none), looked up once per AGENT_REFRESH_MS. */
export class AgentTargets {
  private readonly cache = new Map<string, { at: number; target: Promise<string> }>();

  constructor(private readonly lookup: (tokenId: string | null) => Promise<string>) {}

  /** The target an agent's token serves; tokens no backend minted serve `local`. */
  get(tokenId: string | null): Promise<string> {
    const key = tokenId ?? '';
    const now = Date.now();
    const have = this.cache.get(key);
    if (have && now - have.at < AGENT_REFRESH_MS) return have.target;
    // Tokens of ended machines stop asking: their entries go with the next look-up.
    for (const [k, v] of this.cache) if (now - v.at >= AGENT_REFRESH_MS) this.cache.delete(k);
    // Agents starting together share one look-up.
    const target = this.lookup(tokenId);
    this.cache.set(key, { at: now, target });
    target.catch(() => {
      if (this.cache.get(key)?.target === target) this.cache.delete(key);
    });
    return target;
  }
}
