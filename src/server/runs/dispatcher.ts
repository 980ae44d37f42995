import type { AgentReply, JobSpec } from '../../contracts/agent.js';
import type { ExperimentRecord, JobRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Authenticator } from '../auth.js';
import type { Targets } from '../compute/targets.js';
import type { ExperimentService } from './experiment-service.js';
import { AgentTargets } from './agent-targets.js';
import { JobOwners } from './job-owners.js';
import { buildJobSpec, mayResume, type ProjectSpec } from './job-spec.js';
import { presentExperiment } from './present.js';
import { Settings } from '../settings.js';

export interface DispatchSettings {
  leaseMs: number;
  concurrency: number;
}

/** How long a project's checkout details are reused: as long as the settings are. */
const REUSE_MS = 1000;

/**
 * Hands queued jobs to agents (highest priority first, then oldest), at most a target's cap at a
 * time, each with a lease and its job spec; takes them back when a run ends. The queue, leases
 * and job owners are in the Store; what is held here is this server's own: its long-polling
 * claims, and caches of what the Store says.
 */
export class Dispatcher {
  private waiters = new Set<() => void>();
  private open = false;
  private url = '';
  /** Token of each agent that spoke to this server, its host, and agents that served their one run (Slurm jobs). */
  private readonly tokens = new Map<string, string | null>();
  private readonly hosts = new Map<string, string>();
  private readonly retired = new Set<string>();
  /** The token that claimed each job: only it may report on the job. */
  readonly owners: JobOwners;
  private cached: { at: number; value: DispatchSettings } | null = null;
  private adminId: string | undefined;
  /** Target of each agent token, looked up again now and then. */
  private readonly agentTargets: AgentTargets;
  /** Projects' checkout details, read at most REUSE_MS ago. */
  private readonly projectCache = new Map<string, { at: number; value: Promise<ProjectSpec> }>();
  private claiming: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly experiments: ExperimentService,
    private readonly auth: Authenticator,
    private readonly targets: Targets,
  ) {
    this.owners = new JobOwners((id) => targets.runToken(id));
    this.agentTargets = new AgentTargets((tokenId) => targets.agent(tokenId).then((a) => a.target));
  }

  /**
   * The settings, read at most once a second: every claim and acknowledgement needs them.
   * `fresh` reads them now and keeps nothing (settings written right after start must count).
   */
  async settings(fresh = false): Promise<DispatchSettings> {
    if (!fresh && this.cached && Date.now() - this.cached.at < 1000) return this.cached.value;
    const settings = new Settings(this.store);
    const value = {
      leaseMs: await settings.get('runs.leaseMs'),
      concurrency: await settings.get('compute.local.concurrency'),
    };
    if (!fresh) this.cached = { at: Date.now(), value };
    return value;
  }

  /** A lease from now, as stored on a job. */
  async leaseFromNow(fresh = false): Promise<string> {
    const { leaseMs } = await this.settings(fresh);
    return new Date(Date.now() + leaseMs).toISOString();
  }

  /** Claims may wait for work from now on; `url` is the server's, as agents reach it. */
  start(url: string): void {
    this.url = url;
    this.open = true;
  }

  /** Waiting claims answer `idle` at once, and no new claim waits. */
  stop(): void {
    this.open = false;
    this.notify();
  }

  /** Wakes every waiting claim: a job was queued or a slot freed. */
  notify(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Remembers which token an agent id belongs to and where it runs; refuses an id another token took. */
  register(agentId: string, tokenId: string | null, hostname?: string): void {
    this.checkAgent(agentId, tokenId);
    this.tokens.set(agentId, tokenId);
    if (hostname !== undefined) this.hosts.set(agentId, hostname);
  }

  /** An agent id is its token's: another token naming it (a stolen id) is refused. */
  checkAgent(agentId: string | undefined, tokenId: string | null): void {
    if (agentId !== undefined && this.tokens.has(agentId) && this.tokens.get(agentId) !== tokenId)
      throw new ApiFailure('forbidden', `agent ${agentId} belongs to another agent token`);
  }

  /** The token an agent registered with (or `fallback`, for one that registered with another server). */
  tokenOf(agentId: string, fallback: string | null = null): string | null {
    return this.tokens.get(agentId) ?? fallback;
  }

  /**
   * Long-polls for a job of the agent's target for up to `waitMs`. `gone` aborts when the agent's
   * request is closed before its answer (the agent died while long-polling): a claim then takes
   * no job, and hands back one it took in that moment.
   */
  async claim(
    agentId: string,
    waitMs: number,
    tokenId: string | null,
    gone: AbortSignal | undefined,
    valid: () => Promise<boolean>,
  ): Promise<AgentReply> {
    if (!this.tokens.has(agentId)) this.tokens.set(agentId, tokenId);
    const deadline = Date.now() + waitMs;
    const token = this.tokenOf(agentId, tokenId);
    const target = await this.agentTargets.get(token);
    const again = await this.undelivered(agentId, tokenId);
    if (again) return again;
    for (;;) {
      // Nobody is listening for the answer: a job taken now would wait for a lease to end, then be lost.
      if (gone?.aborted) return { type: 'idle' };
      if (!(await valid())) throw new ApiFailure('unauthorized', 'this agent token was revoked');
      const cap = await this.targets.get(target).then(
        (t) => t.cap,
        () => 0,
      );
      const until = await this.leaseFromNow();
      // check-then-claim runs alone: two agents woken together would both see the same free slot
      const got = await this.exclusive(async () =>
        (await this.store.experiments.claimedCount(target)) < cap && !this.retired.has(agentId)
          ? this.store.experiments.claim(target, agentId, until)
          : null,
      );
      if (got && gone?.aborted) {
        await this.store.experiments.updateJob(got.job.id, {
          state: 'queued',
          agentId: null,
          leaseUntil: null,
        });
        this.notify();
        return { type: 'idle' };
      }
      if (got) {
        this.owners.claimed(got.job.id, token);
        await this.targets.recordRun(got.experiment.id, token, this.hosts.get(agentId) ?? '');
        return { type: 'job', job: await this.prepare(got.job, got.experiment) };
      }
      const left = deadline - Date.now();
      if (left <= 0 || !this.open) return { type: 'idle' };
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        const waiters = this.waiters;
        function done() {
          clearTimeout(t);
          gone?.removeEventListener('abort', done);
          waiters.delete(done);
          resolve();
        }
        gone?.addEventListener('abort', done);
        this.waiters.add(done);
      });
    }
  }

  /**
   * An agent runs one job at a time and asks for work only once it reported the last one: a job
   * it still holds in `starting` never reached it (its server died between the claim and the
   * answer). It gets that job again, not a second one, and the run keeps its one attempt.
   */
  private async undelivered(agentId: string, tokenId: string | null): Promise<AgentReply | null> {
    const job = (await this.store.experiments.claimed()).find((j) => j.agentId === agentId);
    if (!job || !(await this.owners.owns(job, tokenId))) return null;
    const exp = await this.store.experiments.getById(job.experimentId);
    if (exp?.status !== 'starting') return null;
    await this.store.experiments.updateJob(job.id, { leaseUntil: await this.leaseFromNow() });
    if (job.runTokenId) await this.store.revokeToken(job.runTokenId, await this.admin());
    this.owners.claimed(job.id, this.tokenOf(agentId, tokenId));
    return { type: 'job', job: await this.prepare(job, exp) };
  }

  /** Mints the run's token, moves the run to `starting` and builds its job spec. */
  private async prepare(job: JobRecord, exp: ExperimentRecord): Promise<JobSpec> {
    const token = await this.auth.createToken(
      await this.admin(),
      `run ${exp.project}/${exp.name}`,
      `run:${exp.id}`,
    );
    await this.store.experiments.updateJob(job.id, { runTokenId: token.id });
    const started =
      exp.status === 'starting'
        ? exp
        : await this.experiments.transition(
            exp,
            'starting',
            exp.error?.startsWith('waiting: ') ? { error: null } : {},
          );
    const { changeSet } = presentExperiment(started, 0);
    const up = this.experiments.uploads;
    return buildJobSpec({
      jobId: job.id,
      exp: started,
      url: this.url,
      token: token.token,
      project: await this.project(exp.project),
      kind: exp.target === 'local' ? 'local' : (await this.targets.get(exp.target).catch(() => null))?.kind,
      // Another server of a cluster may have taken the upload: it is fetched to this one's disk.
      uploads: Object.fromEntries(
        await Promise.all(
          changeSet.inputs.map(
            async (i) =>
              [
                i.path,
                (await up.fetch(exp.project, i.uploadId)) ?? up.file(exp.project, i.uploadId),
              ] as const,
          ),
        ),
      ),
      ackedSeq: await this.experiments.logs.lastSeq(exp.project, exp.id),
      resumeFrom: mayResume(started) ? await this.store.agents.checkpoint(exp.id) : null,
    });
  }

  /** A project's checkout details and DVC remote keys as read at most REUSE_MS ago. */
  private project(name: string): Promise<ProjectSpec> {
    const have = this.projectCache.get(name);
    if (have && Date.now() - have.at < REUSE_MS) return have.value;
    const value = (async () => ({
      ...(await this.experiments.where(name)),
      s3: await this.experiments.dvcRemoteCredentials(name).catch(() => undefined),
    }))();
    this.projectCache.set(name, { at: Date.now(), value });
    value.catch(() => {
      if (this.projectCache.get(name)?.value === value) this.projectCache.delete(name);
    });
    return value;
  }

  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.claiming.then(f, f);
    this.claiming = run.catch(() => undefined);
    return run;
  }

  /** A one-run agent (a Slurm job) is stopped once its run ended: `scancel`. */
  async retire(agentId: string, target: string): Promise<void> {
    // The local target has no one-run agents; building it reads a setting.
    const t = target === 'local' ? null : await this.targets.get(target).catch(() => null);
    if (!t?.retire) return;
    this.retired.add(agentId);
    const { id } = await this.targets.agent(this.tokenOf(agentId));
    if (id) await t.retire(id);
  }

  /** A job ended: its run token goes and its slot is free. */
  async release(job: JobRecord): Promise<void> {
    this.owners.forget(job.id);
    if (job.runTokenId) await this.store.revokeToken(job.runTokenId, await this.admin());
    this.notify();
  }

  /** An interrupted run's job goes back to the queue, for the next agent. */
  async requeue(job: JobRecord): Promise<void> {
    await this.store.experiments.updateJob(job.id, {
      state: 'queued',
      agentId: null,
      leaseUntil: null,
      runTokenId: null,
    });
    this.notify();
  }

  /** The admin account, owner of run tokens. */
  private async admin(): Promise<string> {
    this.adminId ??= (await this.store.ensureAdmin()).user.id;
    return this.adminId;
  }
}
