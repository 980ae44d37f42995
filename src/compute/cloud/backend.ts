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
 * How long a VM just launched may be missing from the provider's listing (EC2's describe is
 * eventually consistent): until it is listed once, a backend counts it from its own launches.
 */
const LIST_LAG_MS = 2 * 60_000;

/**
 * The profile runs its `maxInstances` machines with other machine choices (variants): a run of
 * this one waits for one of them to end. Not a failed launch, so nothing backs off.
 */
export class ProfileFull extends Error {}

/**
 * One VM per agent through a cloud's SDK. Machines power themselves off when idle; `reconcile`
 * terminates every tagged machine this backend does not know as live (server died mid-launch,
 * agent never registered), so nothing is left running.
 */
export class CloudBackend implements ComputeBackend {
  readonly target: string;
  /** Machines this backend launched; `listed` once the provider's listing showed them. */
  private readonly live = new Map<string, { tokenId: string; launchedAt: number; listed: boolean }>();
  private starting: Promise<void> = Promise.resolve();
  private readonly pacer = new LaunchPacer();
  /** Set while the last launch check found the profile full with other machine choices. */
  private full: ProfileFull | null = null;

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

  /**
   * Listed machines of this backend, and those it launched lately that the listing does not
   * show yet (asked for by id; `pending` while the cloud does not know them either): a machine
   * listed once, or described as terminated, is gone when no longer listed.
   */
  private async current(): Promise<CloudInstance[]> {
    const listed = await this.mine();
    const ids = new Set(listed.map((i) => i.id));
    for (const i of listed) {
      const l = this.live.get(i.id);
      if (l) l.listed = true;
    }
    const now = Date.now();
    const unlisted: CloudInstance[] = [];
    for (const [id, l] of this.live) {
      if (ids.has(id) || l.listed || now - l.launchedAt >= LIST_LAG_MS) continue;
      const d = await this.o.provider.describe(id).catch(() => null);
      if (d?.state === 'terminated') l.listed = true;
      else
        unlisted.push(
          d ?? {
            id,
            zone: null,
            state: 'pending',
            tags: {},
            launchedAt: new Date(l.launchedAt).toISOString(),
          },
        );
    }
    return [...listed, ...unlisted];
  }

  async alive(): Promise<number> {
    return (await this.current()).filter((i) => i.state === 'pending' || i.state === 'running').length;
  }

  /** Machines of this backend in any state but terminated (a stopped one is still there to end). */
  async machines(): Promise<number> {
    return (await this.current()).length;
  }

  /**
   * Rejects with `ProfileFull` while the profile's other machine choices hold all its
   * machines: the caller shows why runs wait, and the next check comes without a back-off.
   */
  async ensureAgents(count: number): Promise<void> {
    await this.pacer.run(count, (n) => this.ensure(n));
    if (this.full) throw this.full;
  }

  retryNow(): void {
    this.pacer.reset();
  }

  private ensure(count: number): Promise<void> {
    const go = this.starting.then(async () => {
      this.full = null;
      const want = Math.min(count, this.o.maxInstances);
      const serial = this.o.siblings?.serial ?? (<T>(f: () => Promise<T>) => f());
      // Counted here, not listed again: a VM just launched may not be listed yet.
      for (let have = await this.alive(); have < want; have++) {
        const launched = await serial(async () => {
          // Siblings count their own launches too (`alive`), listed or not yet.
          if (this.o.siblings && (await this.o.siblings.alive()) >= this.o.maxInstances) return false;
          await this.launchOne();
          return true;
        });
        if (!launched) {
          this.full = new ProfileFull(
            `profile ${this.o.profile} runs its ${this.o.maxInstances} machine(s) (maxInstances) with other machine choices: waiting for one to end`,
          );
          return;
        }
      }
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
      this.live.set(inst.id, { tokenId: t.id, launchedAt: Date.now(), listed: false });
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
    // With the ones launched lately that the listing may not show yet.
    for (const i of await this.current()) await this.terminate(i.id);
  }
}
