import { z } from 'zod';
import type { ComputeKind, Placement } from '../../contracts/compute.js';
import type { Store } from '../../store/port.js';
import type { Authenticator } from '../auth.js';
import { BOOTSTRAP_REVOKED } from './agent-exchange.js';
import {
  type AgentRecord,
  agentKey,
  BOOTSTRAP_SCOPE,
  BOOTSTRAP_TTL_MS,
  bootstrapKey,
  exchangedTo,
  readAgentRecord,
} from './agent-record.js';
import { lockedSetting } from './locked-setting.js';

/** Where one experiment's job was claimed. */
const RunRecord = z.object({ tokenId: z.string().nullable(), hostname: z.string(), startedAt: z.string() });

/** Tokens minted for cloud machines, by token id: the reconciler revokes those whose machine is gone. */
const Minted = z.record(z.string(), z.object({ target: z.string(), at: z.number() }));

/** What the reconciler asks of a target to tell whether a machine still runs. */
interface Running {
  running?: (id: string) => Promise<boolean>;
}

/**
 * The agent tokens of compute machines and what the server knows of each (which target, where
 * it runs), bootstrap tokens of cloud VMs, and where each run was claimed.
 */
export class MachineTokens {
  /** Reads (and with `change`, rewrites) the cloud machines' tokens, one change at a time. */
  private readonly minted;

  constructor(private readonly d: { store: Store; auth: Authenticator }) {
    this.minted = lockedSetting(d.store, 'compute.machineTokens', Minted);
  }

  async mint(target: string, kind: ComputeKind): Promise<{ id: string; token: string }> {
    const { user } = await this.d.store.ensureAdmin();
    const t = await this.d.auth.createToken(user.id, `agent ${target}`, 'agent');
    await this.place(t.id, { target, kind, id: null, detail: '', zone: null, pricePerHour: null });
    return { id: t.id, token: t.token };
  }

  /** A one-time token for a VM's user data, exchanged at boot for its agent token (30 min to do so). */
  async bootstrap(target: string, kind: ComputeKind): Promise<{ id: string; token: string }> {
    const { user } = await this.d.store.ensureAdmin();
    const t = await this.d.auth.createToken(user.id, `bootstrap ${target}`, BOOTSTRAP_SCOPE);
    await this.d.store.setSetting(bootstrapKey(t.id), new Date(Date.now() + BOOTSTRAP_TTL_MS).toISOString());
    await this.place(t.id, { target, kind, id: null, detail: '', zone: null, pricePerHour: null });
    await this.minted((all) => {
      all[t.id] = { target, at: Date.now() };
    });
    return { id: t.id, token: t.token };
  }

  async place(tokenId: string, rec: AgentRecord): Promise<void> {
    await this.d.store.setSetting(agentKey(tokenId), JSON.stringify(rec));
  }

  /** The agent behind a token; tokens no backend minted (local, hand-made) belong to `local`. */
  async record(tokenId: string | null): Promise<AgentRecord> {
    const r = tokenId ? await readAgentRecord(this.d.store, tokenId) : null;
    return r ?? { target: 'local', kind: 'local', id: null, detail: '', zone: null, pricePerHour: null };
  }

  /**
   * Revokes a token and, for a bootstrap token, the agent token it was exchanged for. A
   * bootstrap token is marked revoked first: an exchange that records its agent token after
   * this looked for one finds the mark and revokes that token itself (agent-exchange.ts).
   */
  async revoke(tokenId: string): Promise<void> {
    const { user } = await this.d.store.ensureAdmin();
    if ((await this.d.store.getSetting(bootstrapKey(tokenId))) !== null)
      await this.d.store.setSetting(bootstrapKey(tokenId), BOOTSTRAP_REVOKED);
    await this.d.store.revokeToken(tokenId, user.id);
    const real = await exchangedTo(this.d.store, tokenId);
    if (real) await this.d.store.revokeToken(real, user.id);
    await this.minted((all) => {
      delete all[tokenId];
    });
  }

  /**
   * Belt and braces to a VM revoking its own token when it powers off: revokes the tokens of
   * cloud machines that no longer run (reclaimed, powered off, terminated), and of launches
   * that never got a machine.
   */
  async revokeGone(targets: Map<string, Running>): Promise<void> {
    for (const [tokenId, e] of Object.entries(await this.minted())) {
      const rec = await readAgentRecord(this.d.store, tokenId);
      if (!rec?.id) {
        if (Date.now() - e.at > BOOTSTRAP_TTL_MS) await this.revoke(tokenId);
        continue;
      }
      const t = targets.get(e.target);
      if (!t?.running) continue;
      const up = await t.running(rec.id).catch(() => true);
      if (!up) await this.revoke(tokenId);
    }
  }

  async recordRun(experimentId: string, tokenId: string | null, hostname: string): Promise<void> {
    const rec = { tokenId, hostname, startedAt: new Date().toISOString() };
    await this.d.store.setSetting(`compute.run.${experimentId}`, JSON.stringify(rec));
  }

  private async run(experimentId: string): Promise<z.infer<typeof RunRecord> | null> {
    const raw = await this.d.store.getSetting(`compute.run.${experimentId}`);
    const r = raw ? RunRecord.safeParse(JSON.parse(raw)) : null;
    return r?.success ? r.data : null;
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
