import type { ResolvedMachine } from '../../contracts/compute.js';
import { LaunchPacer } from '../launch-pacer.js';
import type { ComputeBackend } from '../port.js';
import { type CloudInstance, type CloudProvider, TAG_INSTALL, TAG_MACHINE, TAG_PROFILE } from './provider.js';
import { startupScript } from './startup-script.js';

export interface CloudBackendOptions {
  provider: CloudProvider;
  profile: string;
  /** This Kiln's id; every machine is tagged with it so the reconciler finds its own only. */
  install: string;
  machine: ResolvedMachine;
  /** Set when `machine` is not the profile's default: its hash, the `kiln-machine` tag. */
  machineTag?: string | undefined;
  /**
   * The profile's machines under all its machines (variants), so `maxInstances` holds across
   * them; `serial` makes one launch decision of the profile at a time.
   */
  siblings?: { alive: () => Promise<number>; serial: <T>(f: () => Promise<T>) => Promise<T> } | undefined;
  maxInstances: number;
  idleTimeoutSec: number;
  image?: string | undefined;
  url: () => string;
  /**
   * A fresh one-time bootstrap token per machine (its startup script trades it for the agent's
   * token), and the revocation of both when the machine goes.
   */
  mintToken: () => Promise<{ id: string; token: string }>;
  revokeToken: (id: string) => Promise<void>;
  /** Tells the server which machine the agent holding token `tokenId` runs on. */
  placed?: (
    tokenId: string,
    id: string,
    detail: string,
    at: { zone: string | null; pricePerHour: number | null },
  ) => Promise<void>;
  /** Test hooks for the startup script (metadata stand-in, power-off command). */
  script?: { metadata?: string; poweroff?: string };
}

/**
 * One VM per agent through a cloud's SDK. Machines power themselves off when idle; `reconcile`
 * terminates every tagged machine this backend does not know as live (server died mid-launch,
 * agent never registered), so nothing is left running.
 */
export class CloudBackend implements ComputeBackend {
  readonly target: string;
  private readonly live = new Map<string, { tokenId: string; launchedAt: number }>();
  private starting: Promise<void> = Promise.resolve();
  private readonly pacer = new LaunchPacer();

  constructor(private readonly o: CloudBackendOptions) {
    this.target = o.provider.cloud;
  }

  private tag(v: string): string {
    return this.o.provider.tagValue?.(v) ?? v;
  }

  /** Machines of this profile and this machine (a default one carries no `kiln-machine`). */
  private async mine(): Promise<CloudInstance[]> {
    const profile = this.tag(this.o.profile);
    const machine = this.o.machineTag ? this.tag(this.o.machineTag) : undefined;
    return (await this.o.provider.listTagged(this.o.install)).filter(
      (i) => i.tags[TAG_PROFILE] === profile && i.tags[TAG_MACHINE] === machine && i.state !== 'terminated',
    );
  }

  async alive(): Promise<number> {
    return (await this.mine()).filter((i) => i.state === 'pending' || i.state === 'running').length;
  }

  ensureAgents(count: number): Promise<void> {
    return this.pacer.run(count, (n) => this.ensure(n));
  }

  private ensure(count: number): Promise<void> {
    const go = this.starting.then(async () => {
      const want = Math.min(count, this.o.maxInstances);
      const serial = this.o.siblings?.serial ?? (<T>(f: () => Promise<T>) => f());
      // Counted here, not listed again: a VM just launched may not be listed yet.
      for (let have = await this.alive(); have < want; have++)
        await serial(async () => {
          if (this.o.siblings && (await this.o.siblings.alive()) >= this.o.maxInstances)
            throw new Error(
              `profile ${this.o.profile} runs its ${this.o.maxInstances} machine(s) (maxInstances) with other machine choices: waiting for one to end`,
            );
          await this.launchOne();
        });
    });
    this.starting = go.catch(() => undefined);
    return go;
  }

  private async launchOne(): Promise<CloudInstance> {
    const t = await this.o.mintToken();
    try {
      const inst = await this.o.provider.launch({
        name: `kiln-${this.o.profile}-${Date.now().toString(36)}`,
        machine: this.o.machine,
        image: this.o.image,
        tags: {
          [TAG_INSTALL]: this.o.install,
          [TAG_PROFILE]: this.o.profile,
          ...(this.o.machineTag ? { [TAG_MACHINE]: this.o.machineTag } : {}),
          'kiln-token': t.id,
        },
        userData: startupScript({
          cloud: this.o.provider.cloud,
          url: this.o.url(),
          token: t.token,
          exchange: true,
          idleTimeoutSec: this.o.idleTimeoutSec,
          ...this.o.script,
        }),
      });
      this.live.set(inst.id, { tokenId: t.id, launchedAt: Date.now() });
      const where = inst.zone ? ` in ${inst.zone}` : '';
      await this.o.placed?.(t.id, inst.id, `${this.o.provider.cloud} instance ${inst.id}${where}`, {
        zone: inst.zone,
        pricePerHour: this.o.machine.pricePerHour,
      });
      return inst;
    } catch (err) {
      await this.o.revokeToken(t.id);
      throw err;
    }
  }

  /** Terminates a machine and revokes its token. */
  async terminate(id: string): Promise<void> {
    this.pacer.reset();
    await this.o.provider.terminate(id);
    const known = this.live.get(id);
    this.live.delete(id);
    if (known) await this.o.revokeToken(known.tokenId);
  }

  /**
   * Terminates tagged machines no live launch owns, machines the caller says are done (`isLive`
   * false: their run ended, or their agent never registered in time), and stopped ones.
   */
  async reconcile(
    isLive: (i: CloudInstance) => boolean | Promise<boolean> = (i) => this.live.has(i.id),
  ): Promise<string[]> {
    const killed: string[] = [];
    for (const i of await this.o.provider.listTagged(this.o.install)) {
      if (i.state === 'terminated') continue;
      // A stopped VM (its script powered it off) is never wanted: on Azure it is still billed.
      if (i.state !== 'stopping' && (await isLive(i))) continue;
      await this.o.provider.terminate(i.id);
      const tokenId = i.tags['kiln-token'];
      if (tokenId) await this.o.revokeToken(tokenId);
      this.live.delete(i.id);
      killed.push(i.id);
    }
    return killed;
  }

  async stop(): Promise<void> {
    await this.starting;
    for (const i of await this.mine()) await this.terminate(i.id);
  }
}
