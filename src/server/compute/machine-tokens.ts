import type { ComputeKind, Placement } from '../../contracts/compute.js';
import type { RunPlacementRecord, Store } from '../../store/port.js';
import type { Authenticator } from '../auth.js';
import {
  type AgentRecord,
  BOOTSTRAP_SCOPE,
  BOOTSTRAP_TTL_MS,
  fromPlacement,
  toPlacement,
} from './agent-record.js';

/** What the reconciler asks of a target to tell whether a machine still runs. */
interface Running {
  running?: (id: string) => Promise<boolean>;
}

const unplaced = (target: string, kind: ComputeKind): AgentRecord => ({
  target,
  kind,
  id: null,
  detail: '',
  zone: null,
  pricePerHour: null,
});

/**
 * The agent tokens of compute machines and what the server knows of each (which target, where
 * it runs), bootstrap tokens of cloud VMs, and where each run was claimed; all in the Store's
 * agent tables, so every server sees the same.
 */
export class MachineTokens {
  constructor(private readonly d: { store: Store; auth: Authenticator }) {}

  async mint(target: string, kind: ComputeKind): Promise<{ id: string; token: string }> {
    const { user } = await this.d.store.ensureAdmin();
    const t = await this.d.auth.createToken(user.id, `agent ${target}`, 'agent');
    await this.place(t.id, unplaced(target, kind));
    return { id: t.id, token: t.token };
  }

  /** A one-time token for a VM's user data, exchanged at boot for its agent token (30 min to do so). */
  async bootstrap(target: string, kind: ComputeKind): Promise<{ id: string; token: string }> {
    const { user } = await this.d.store.ensureAdmin();
    const t = await this.d.auth.createToken(user.id, `bootstrap ${target}`, BOOTSTRAP_SCOPE);
    const until = new Date(Date.now() + BOOTSTRAP_TTL_MS).toISOString();
    await this.d.store.agents.openBootstrap(t.id, toPlacement(unplaced(target, kind)), until);
    return { id: t.id, token: t.token };
  }

  async place(tokenId: string, rec: AgentRecord): Promise<void> {
    await this.d.store.agents.place(tokenId, toPlacement(rec));
  }

  /** The agent behind a token; tokens no backend minted (local, hand-made) belong to `local`. */
  async record(tokenId: string | null): Promise<AgentRecord> {
    const r = tokenId ? await this.d.store.agents.placementOf(tokenId) : null;
    return r ? fromPlacement(r) : unplaced('local', 'local');
  }

  /** Whether a backend of this Kiln minted the token. */
  async known(tokenId: string): Promise<boolean> {
    return (await this.d.store.agents.placementOf(tokenId)) !== null;
  }

  /** The agent token a VM's bootstrap token was traded for, if it was. */
  async exchangedTo(bootstrapId: string): Promise<string | null> {
    return (await this.d.store.agents.bootstrap(bootstrapId))?.exchangedTo ?? null;
  }

  /**
   * Revokes a token and, for a bootstrap token, the agent token it was exchanged for. The
   * bootstrap row is marked revoked in the same statement that reads its exchange, so an
   * exchange under way either is seen here or fails (agent-exchange.ts).
   */
  async revoke(tokenId: string): Promise<void> {
    const { user } = await this.d.store.ensureAdmin();
    const boot = await this.d.store.agents.revokeBootstrap(tokenId);
    await this.d.store.revokeToken(tokenId, user.id);
    if (boot?.exchangedTo) await this.d.store.revokeToken(boot.exchangedTo, user.id);
  }

  /**
   * Belt and braces to a VM revoking its own token when it powers off: revokes the tokens of
   * cloud machines that no longer run (reclaimed, powered off, terminated), and of launches
   * that never got a machine.
   */
  async revokeGone(targets: Map<string, Running>): Promise<void> {
    for (const b of await this.d.store.agents.openBootstraps()) {
      if (!b.machineId) {
        if (Date.now() - Date.parse(b.createdAt) > BOOTSTRAP_TTL_MS) await this.revoke(b.tokenId);
        continue;
      }
      const t = targets.get(b.target);
      if (!t?.running) continue;
      const up = await t.running(b.machineId).catch(() => true);
      if (!up) await this.revoke(b.tokenId);
    }
  }

  async recordRun(experimentId: string, tokenId: string | null, hostname: string): Promise<void> {
    await this.d.store.agents.putRunPlacement({
      experimentId,
      tokenId,
      hostname,
      startedAt: new Date().toISOString(),
    });
  }

  private run(experimentId: string): Promise<RunPlacementRecord | null> {
    return this.d.store.agents.runPlacement(experimentId);
  }

  /** The token of the agent that claimed an experiment's job (null before, or a hand-made agent). */
  async runToken(experimentId: string): Promise<string | null> {
    return (await this.run(experimentId))?.tokenId ?? null;
  }

  /** Where an experiment ran (null before an agent claimed it). */
  async placement(experimentId: string, profileOf: string): Promise<Placement | null> {
    const r = await this.run(experimentId);
    if (!r) return null;
    const a = await this.record(r.tokenId);
    return {
      target: a.kind,
      profile: a.kind === 'local' ? null : profileOf,
      id: a.id ?? r.hostname,
      zone: a.zone,
      detail: a.detail ? `${a.detail} on ${r.hostname}` : r.hostname,
      pricePerHour: a.pricePerHour,
      startedAt: r.startedAt,
      endedAt: null,
    };
  }
}
