import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ExperimentStatus } from '../../contracts/api.js';
import { ComputeKind, type Placement } from '../../contracts/compute.js';
import { isFinished } from '../../contracts/run-lifecycle.js';
import type { ComputeBackend } from '../../compute/port.js';
import { SlurmSettings, SshSettings } from '../../compute/profiles/settings.js';
import { SlurmBackend } from '../../compute/slurm/backend.js';
import { SshBackend } from '../../compute/ssh/backend.js';
import type { MachineTargetRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Authenticator } from '../auth.js';
import type { CredentialService } from './credential-service.js';
import { isVariant, readVariant, variantSettings } from './variants.js';
import type { AgentRecord } from './agent-record.js';
import { MachineTokens } from './machine-tokens.js';
// The cloud and Kubernetes SDKs load with the first such profile, not with the server.
import type { MachineDeps, ProviderFactory } from './remote-targets.js';
import type { Liveness, Target } from './target.js';
import { Settings } from '../settings.js';

type MachineKind = MachineTargetRecord['kind'];

export interface TargetDeps {
  store: Store;
  auth: Authenticator;
  credentials: CredentialService;
  local: ComputeBackend;
  url: () => string;
  home: string;
  /** The single-file agent copied to remote machines. */
  agentBundle?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The reconciler: every `everyMs` it ends labelled machines older than `graceMs` whose agent
   * holds no run and was not seen for a while (server died mid-launch, agent never registered).
   */
  reconcile?: { everyMs: number; graceMs: number };
  /** Whether this server runs the cluster's singletons (the reconciler); default always. */
  leader?: () => boolean;
}

/** An agent polls for work at least this often while it lives. */
const SEEN_MS = 2 * 60_000;

export function defaultAgentBundle(): string {
  return path.resolve('dist/agent.mjs');
}

/** Builds one backend per compute profile and remembers which agent token belongs to which target. */
export class Targets {
  private readonly built = new Map<string, Target>();
  /** Targets being built: two callers at once get the same backend, and its launches. */
  private readonly building = new Map<string, Promise<Target>>();
  /** When each agent token was last used to ask for work. */
  private readonly seen = new Map<string, number>();
  private readonly startedAt = Date.now();
  private readonly timer: NodeJS.Timeout;
  private reconciling: Promise<string[]> | null = null;
  /** Makes each cloud profile's VM API: the SDKs; tests swap in a simulated cloud. */
  /** How cloud profiles reach their provider; the official SDKs unless a test replaces it. */
  providers: ProviderFactory | undefined;

  constructor(private readonly d: TargetDeps) {
    this.tokens = new MachineTokens({ store: d.store, auth: d.auth });
    const every = d.reconcile?.everyMs ?? 60_000;
    this.timer = setInterval(
      () => void (d.leader?.() !== false ? this.reconcile() : null)?.catch(() => undefined),
      every,
    );
    this.timer.unref();
  }

  /** Throws `bad_request` unless `name` is `local` or a runnable profile. */
  async check(name: string): Promise<void> {
    await this.get(name);
  }

  async get(name: string): Promise<Target> {
    const have = this.built.get(name);
    if (have) return have;
    // The local cap follows its setting; remote backends keep their state.
    if (name === 'local') return this.build(name);
    let t = this.building.get(name);
    if (!t) {
      t = this.build(name)
        .then((b) => {
          this.built.set(name, b);
          return b;
        })
        .finally(() => this.building.delete(name));
      this.building.set(name, t);
    }
    return t;
  }

  private async build(name: string): Promise<Target> {
    if (isVariant(name)) return this.variantTarget(name);
    if (name === 'local') {
      const cap = await new Settings(this.d.store).get('compute.local.concurrency');
      return { name, kind: 'local', backend: this.d.local, cap };
    }
    const rec = await this.d.store.compute.getProfile(name);
    if (!rec) throw new ApiFailure('bad_request', `no compute target ${name}: use local or a profile name`);
    const kind = ComputeKind.parse(rec.kind);
    const raw: unknown = JSON.parse(rec.settingsJson);
    const bundle = this.d.agentBundle ?? defaultAgentBundle();
    if ((kind === 'ssh' || kind === 'slurm') && !existsSync(bundle))
      throw new ApiFailure('bad_request', `the agent bundle ${bundle} is missing: run npm run build`);
    const common = {
      url: this.d.url,
      mintToken: async () => (await this.tokens.mint(name, kind)).token,
      agentToken: () => this.tokens.mint(name, kind),
      placed: (tokenId: string, id: string, detail: string) =>
        this.tokens.place(tokenId, { target: name, kind, id, detail, zone: null, pricePerHour: null }),
      agentBundle: bundle,
    };
    if (kind === 'ssh') {
      const settings = SshSettings.parse(raw);
      const secret = await this.d.credentials.open(settings.credential);
      if (secret.kind !== 'ssh')
        throw new ApiFailure('bad_request', `credential ${settings.credential} is not an SSH key`);
      const backend = new SshBackend({
        ...common,
        settings,
        key: { privateKey: secret.privateKey, passphrase: secret.passphrase },
      });
      return {
        name,
        kind,
        backend,
        cap: Math.min(settings.maxInstances, settings.hosts.length * settings.agentsPerHost),
      };
    }
    if (kind === 'slurm') {
      const settings = SlurmSettings.parse(raw);
      const backend = new SlurmBackend({
        ...common,
        profile: name,
        settings,
        dir: settings.sharedDir ?? path.join(this.d.home, 'slurm', name),
        env: this.d.env ?? process.env,
      });
      return {
        name,
        kind,
        backend,
        cap: settings.maxInstances,
        retire: (id) => backend.cancel(id).catch(() => undefined),
        running: async (id) => {
          const st = await backend.state(id);
          return st !== null && (st.state === 'PENDING' || st.state === 'RUNNING');
        },
      };
    }
    if (kind === 'local')
      throw new ApiFailure('bad_request', `compute target ${name} is local: use the target local`);
    const t = await this.machineTarget(name, kind, raw);
    await this.remember(name, kind, raw);
    return t;
  }

  /**
   * A variant of a cloud profile (`PROFILE~hash`): the profile's settings with a run's machine,
   * its VMs tagged with the profile and the hash.
   */
  private async variantTarget(name: string): Promise<Target> {
    const v = await readVariant(this.d.store, name);
    if (!v) throw new ApiFailure('bad_request', `no compute target ${name}: use local or a profile name`);
    const rec = await this.d.store.compute.getProfile(v.profile);
    if (!rec || rec.kind !== v.kind)
      throw new ApiFailure('bad_request', `compute profile ${v.profile} (${v.kind}) was removed`);
    const settings = variantSettings(JSON.parse(rec.settingsJson), v);
    const t = await this.machineTarget(name, v.kind, settings, v.profile);
    await this.remember(name, v.kind, settings, v.profile);
    return t;
  }

  /** Machines of a cloud profile running now, over the profile and its variants. */
  private async profileAlive(profile: string): Promise<number> {
    let n = 0;
    for (const m of await this.remembered()) {
      if ((m.profile ?? m.name) !== profile) continue;
      const t = await this.get(m.name).catch(() => null);
      n += t ? await t.backend.alive().catch(() => 0) : 0;
    }
    return n;
  }

  /**
   * One launch decision of a profile at a time, across every server of a cluster (a PostgreSQL
   * advisory lock; in this process only on SQLite, where there is one server): two servers that
   * each counted the machines before either launched would together pass `maxInstances`.
   */
  private serial<T>(profile: string, f: () => Promise<T>): Promise<T> {
    return this.d.store.exclusive(`compute.launch.${profile}`, f);
  }

  /** A target that starts machines (Kubernetes Jobs, cloud VMs), from a profile's settings. */
  private async machineTarget(
    name: string,
    kind: MachineKind,
    raw: unknown,
    profile: string = name,
  ): Promise<Target> {
    const machines: MachineDeps = {
      name,
      profile,
      ...(name !== profile ? { machineTag: name.slice(profile.length + 1) } : {}),
      siblings: {
        alive: () => this.profileAlive(profile),
        // Remembered again before each launch: the reconciler may have just forgotten it.
        serial: (f) =>
          this.serial(profile, async () => {
            await this.remember(name, kind, raw, profile);
            return f();
          }),
      },
      install: await this.install(),
      url: this.d.url,
      // A VM's user data gets a bootstrap token, traded at boot for the agent's own.
      agentToken: () =>
        kind === 'kubernetes' ? this.tokens.mint(name, kind) : this.tokens.bootstrap(name, kind),
      revokeToken: (id) => this.tokens.revoke(id),
      placed: (tokenId, id, detail, at = {}) =>
        this.tokens.place(tokenId, {
          target: name,
          kind,
          id,
          detail,
          zone: at.zone ?? null,
          pricePerHour: at.pricePerHour ?? null,
        }),
    };
    const open = (c: string) => this.d.credentials.open(c);
    const remote = await import('./remote-targets.js');
    if (kind === 'kubernetes') return remote.kubernetesTarget(raw, open, machines);
    return remote.cloudTarget(kind, raw, open, machines, this.providers ?? remote.sdkProviders);
  }

  /**
   * Profiles that started machines, kept after the profile is removed so the reconciler still
   * ends what they left behind.
   */
  private remembered(): Promise<MachineTargetRecord[]> {
    return this.d.store.agents.machineTargets();
  }

  /** Agent and bootstrap tokens of machines, and where each run was claimed. */
  private readonly tokens: MachineTokens;

  private async remember(
    name: string,
    kind: MachineKind,
    settings: unknown,
    profile?: string,
  ): Promise<void> {
    await this.d.store.agents.rememberMachineTarget({
      name,
      kind,
      settings,
      profile: profile && profile !== name ? profile : null,
    });
  }

  /**
   * Forgets a target unless it was remembered again since the reconciler read it (a launch on
   * any server remembers it first): the database compares the version.
   */
  private async forget(m: MachineTargetRecord): Promise<void> {
    await this.d.store.agents.forgetMachineTarget(m.name, m.version);
  }

  /** Targets with a queued or running experiment. */
  private async wanted(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const [project, n] of await this.d.store.experiments.activeCounts()) {
      if (n <= 0) continue;
      for (const e of await this.d.store.experiments.list(project))
        if (!isFinished(ExperimentStatus.parse(e.status))) out.add(e.target);
    }
    return out;
  }

  /** This Kiln's id, made once: the label on every machine it starts. */
  async install(): Promise<string> {
    // Two servers starting at once agree on one id: the first stored wins.
    return new Settings(this.d.store).makeOnce('compute.install', () => randomBytes(6).toString('hex'));
  }

  /** Which machines are wanted now: young ones, ones whose agent holds a run or asked lately. */
  private async liveness(): Promise<{ live: Liveness; busy: Liveness }> {
    const grace = this.d.reconcile?.graceMs ?? 15 * 60_000;
    const holding = new Set<string>();
    for (const job of await this.d.store.experiments.claimed()) {
      const tokenId = await this.tokens.runToken(job.experimentId);
      if (tokenId) holding.add(tokenId);
    }
    const now = Date.now();
    // Agents of a cluster ask other servers too: their tokens' last use is in the database.
    const { user } = await this.d.store.ensureAdmin();
    const used = new Map<string, number>();
    for (const t of await this.d.store.listTokens(user.id))
      if (t.lastUsedAt) used.set(t.id, Date.parse(t.lastUsedAt));
    const lastSeen = (tokenId: string) => Math.max(this.seen.get(tokenId) ?? 0, used.get(tokenId) ?? 0);
    // A removed profile gets no more runs: only a machine in the middle of one is kept.
    // A VM is tagged with its bootstrap token; its agent uses the token that was traded for it.
    const agentOf = async (tagged: string) => (await this.tokens.exchangedTo(tagged)) ?? tagged;
    const busy: Liveness = async (tagged) => tagged !== null && holding.has(await agentOf(tagged));
    const live: Liveness = async (tagged, createdMs) => {
      if (now - createdMs < grace) return true;
      if (tagged === null) return false;
      const tokenId = await agentOf(tagged);
      if (holding.has(tokenId) || now - lastSeen(tokenId) < SEEN_MS) return true;
      // Just restarted: an agent this Kiln started gets one polling interval to come back.
      return now - this.startedAt < SEEN_MS && (await this.tokens.known(tokenId));
    };
    return { live, busy };
  }

  /**
   * One pass of the reconciler over every machine-starting profile and variant; returns what
   * it ended. A machine of a removed profile (by its profile tag) is kept only while it holds
   * a run; a removed profile, or a variant nothing waits for, is forgotten once none of its
   * machines runs.
   */
  reconcile(): Promise<string[]> {
    this.reconciling ??= (async () => {
      const killed = new Set<string>();
      const { live, busy } = await this.liveness();
      const profiles = new Set((await this.d.store.compute.listProfiles()).map((p) => p.name));
      const tagged = new Set([...profiles].map((p) => p.toLowerCase()));
      const wanted = await this.wanted();
      const seen = new Map<string, Target>();
      for (const m of await this.remembered()) {
        const name = m.name;
        const base = m.profile ?? name;
        const gone = !profiles.has(base);
        // A removed profile takes no more runs.
        if (gone) this.built.delete(name);
        const t = gone
          ? await this.machineTarget(name, m.kind, m.settings, base).catch(() => null)
          : await this.get(name).catch(() => null);
        if (t) seen.set(name, t);
        if (!t?.reconcile) continue;
        const judge: Liveness = (tokenId, createdMs, profile) =>
          (profile === undefined ? gone : !tagged.has(profile.toLowerCase()))
            ? busy(tokenId, createdMs)
            : live(tokenId, createdMs);
        for (const id of await t.reconcile(judge).catch(() => [])) killed.add(id);
        if (!gone && (base === name || wanted.has(name))) continue;
        // A stopped VM is not alive but still there (and billed, on Azure): kept until it is gone.
        // Between two launch decisions of the profile, so none lands between look and forget.
        const left = t.machines ?? (() => t.backend.alive());
        await this.serial(base, async () => {
          if ((await left().catch(() => 1)) > 0) return;
          await this.forget(m);
          this.built.delete(name);
        });
      }
      await this.tokens.revokeGone(seen);
      // Rows of ended runs and machines: checkpoints of finished runs, dead tokens' records.
      await this.d.store.agents.prune().catch(() => 0);
      return [...killed];
    })().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  /** The agent behind a token; tokens no backend minted (local, hand-made) belong to `local`. */
  async agent(tokenId: string | null): Promise<AgentRecord> {
    // The scheduler asks on every claim: an agent asking for work is alive.
    if (tokenId) this.seen.set(tokenId, Date.now());
    return this.tokens.record(tokenId);
  }

  recordRun(experimentId: string, tokenId: string | null, hostname: string): Promise<void> {
    return this.tokens.recordRun(experimentId, tokenId, hostname);
  }

  /** The token of the agent that claimed an experiment's job (null before, or unrecorded). */
  runToken(experimentId: string): Promise<string | null> {
    return this.tokens.runToken(experimentId);
  }

  /** Where an experiment ran (null before an agent claimed it). */
  placement(experimentId: string, profileOf: string): Promise<Placement | null> {
    return this.tokens.placement(experimentId, profileOf);
  }

  /** Stops the remote backends built so far (the local one is stopped by its owner). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const t of this.built.values())
      if (t.kind !== 'local') await t.backend.stop().catch(() => undefined);
  }
}
