import { randomUUID } from 'node:crypto';
import type { AgentMessage, AgentReply, JobSpec } from '../../contracts/agent.js';
import { ExperimentStatus } from '../../contracts/api.js';
import { assertNever } from '../../contracts/errors.js';
import { canMove, isFinished } from '../../contracts/run-lifecycle.js';
import type { ExperimentRecord, JobRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Authenticator } from '../auth.js';
import { gitHttpUrl } from '../compute/git-http.js';
import type { Targets } from '../compute/targets.js';
import { profileOf } from '../compute/variants.js';
import type { ExperimentService } from './experiment-service.js';
import { requeueInterrupted } from './interrupted.js';
import { AgentTargets } from './agent-targets.js';
import { JobOwners } from './job-owners.js';
import { jobEnv } from './job-env.js';
import { presentExperiment } from './present.js';
import { demandByTarget, forwardResult, watchMachines } from './target-watch.js';

/** What every job of a project needs from it: where to clone from, and its DVC remote's keys. */
interface ProjectSpec {
  mirror: string;
  subdir: string;
  source: string;
  s3: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

export interface SchedulerSettings {
  leaseMs: number;
  concurrency: number;
}

const DEFAULTS: SchedulerSettings = { leaseMs: 30_000, concurrency: 2 };

/** A result's forward to the project's remote may take this long (git push's own time limit). */
const RESULT_LEASE_MS = 10 * 60_000;

/** How long a project's checkout details are reused: as long as the settings are. */
const REUSE_MS = 1000;

/**
 * Hands queued jobs to agents (highest priority first, then oldest), at most `concurrency` at
 * a time per target; keeps leases, turns a job whose agent stopped heartbeating into `lost`.
 */
export class Scheduler {
  private waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private url = '';
  private ticking = false;
  /** Token of each registered agent, and agents that served their one run (Slurm jobs). */
  private readonly tokens = new Map<string, string | null>();
  private readonly retired = new Set<string>();
  private readonly hosts = new Map<string, string>();
  /** The token that claimed each job: only it may report on the job. */
  private readonly owners: JobOwners;
  private cached: { at: number; value: SchedulerSettings } | null = null;
  private adminId: string | undefined;
  /** Targets whose queued rows say why no machine started. */
  private readonly noted = new Set<string>();
  /** Target of each agent token, looked up again now and then. */
  private readonly agentTargets: AgentTargets;
  /** Projects' checkout details, read at most REUSE_MS ago. */
  private readonly projectCache = new Map<string, { at: number; value: Promise<ProjectSpec> }>();

  constructor(
    private readonly store: Store,
    private readonly experiments: ExperimentService,
    private readonly auth: Authenticator,
    readonly targets: Targets,
    /** Whether this server runs the singletons: lease expiry, machine watch, remote starts. */
    private readonly leader: () => boolean = () => true,
  ) {
    this.owners = new JobOwners((id) => targets.runToken(id));
    this.agentTargets = new AgentTargets((tokenId) => targets.agent(tokenId).then((a) => a.target));
  }

  /** The settings, read at most once a second: every claim and acknowledgement needs them. */
  async settings(): Promise<SchedulerSettings> {
    if (this.cached && Date.now() - this.cached.at < 1000) return this.cached.value;
    const lease = Number(await this.store.getSetting('runs.leaseMs'));
    const conc = Number(await this.store.getSetting('compute.local.concurrency'));
    const value = {
      leaseMs: Number.isInteger(lease) && lease >= 1000 ? lease : DEFAULTS.leaseMs,
      concurrency: Number.isInteger(conc) && conc >= 1 ? conc : DEFAULTS.concurrency,
    };
    this.cached = { at: Date.now(), value };
    return value;
  }

  /** The admin account, owner of run tokens. */
  private async admin(): Promise<string> {
    this.adminId ??= (await this.store.ensureAdmin()).user.id;
    return this.adminId;
  }

  /** Starts the lease monitor; jobs claimed before a restart get a fresh lease to reconnect in. */
  async start(url: string): Promise<void> {
    this.url = url;
    const { leaseMs } = await this.settings();
    const until = new Date(Date.now() + leaseMs).toISOString();
    for (const j of await this.store.experiments.claimed())
      await this.store.experiments.updateJob(j.id, { leaseUntil: until });
    // Settings written right after start (tests, the CLI) must count for the first claims.
    this.cached = null;
    this.timer = setInterval(() => void this.tick(), 500);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.notify();
  }

  /** Wakes every waiting claim: a job was queued or a slot freed. */
  notify(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** `tokenId` is the agent's token: it tells the agent's target and where it runs. */
  /**
   * `gone` aborts when the agent's request is closed before its answer (the agent died while
   * long-polling): a claim then takes no job, and hands back one it took in that moment.
   */
  async handle(
    msg: AgentMessage,
    tokenId: string | null = null,
    gone?: AbortSignal,
    valid: () => Promise<boolean> = async () => true,
  ): Promise<AgentReply> {
    // An agent id is its token's: another token naming it (a stolen id) is refused.
    const id = msg.agentId;
    if (id !== undefined && this.tokens.has(id) && this.tokens.get(id) !== tokenId)
      throw new ApiFailure('forbidden', `agent ${id} belongs to another agent token`);
    switch (msg.type) {
      case 'register': {
        const { leaseMs } = await this.settings();
        const until = new Date(Date.now() + leaseMs).toISOString();
        const agentId = msg.agentId ?? randomUUID();
        this.tokens.set(agentId, tokenId);
        this.hosts.set(agentId, msg.hostname);
        for (const id of msg.running) {
          const job = await this.store.experiments.getJob(id);
          if (job?.state === 'claimed' && job.agentId === agentId && (await this.owners.owns(job, tokenId)))
            await this.store.experiments.updateJob(id, { leaseUntil: until });
        }
        return { type: 'registered', agentId, heartbeatMs: Math.max(200, Math.floor(leaseMs / 6)), leaseMs };
      }
      case 'claim':
        if (!this.tokens.has(msg.agentId)) this.tokens.set(msg.agentId, tokenId);
        return this.claim(msg.agentId, msg.waitMs, tokenId, gone, valid);
      case 'heartbeat':
        return this.ack(msg.agentId, tokenId, msg.jobId, async () => undefined);
      case 'log':
        return this.ack(msg.agentId, tokenId, msg.jobId, async (_job, exp) => {
          await this.experiments.logs.append(exp.project, exp.id, msg.chunks);
        });
      case 'state':
        return this.ack(msg.agentId, tokenId, msg.jobId, async (_job, exp) => {
          // A state the run is past (a resend after the next one was stored) changes nothing.
          if (canMove(ExperimentStatus.parse(exp.status), msg.state))
            await this.experiments.transition(exp, msg.state);
        });
      case 'result':
        return this.ack(
          msg.agentId,
          tokenId,
          msg.jobId,
          async (job, exp) => {
            const o = msg.outcome;
            // The job stays claimed until the run's end is written: a server that dies in between
            // gets the result again from the agent (retrying) and finishes the run, which would
            // otherwise stay `saving`. Its lease covers the forward to the project's remote.
            await this.store.experiments.updateJob(job.id, {
              leaseUntil: new Date(Date.now() + RESULT_LEASE_MS).toISOString(),
            });
            if (o.status === 'succeeded') {
              // The result reaches the project's remote before the row says succeeded.
              const forwardError = await forwardResult(this.experiments, exp, o.resultCommit);
              const errors = [...o.pushErrors, ...(forwardError ? [forwardError] : [])];
              const error = errors.length ? `result kept, but a push failed: ${errors.join('; ')}` : null;
              await this.experiments.transition(exp, 'succeeded', {
                resultCommit: o.resultCommit,
                exitCode: 0,
                error,
              });
            } else if (o.status === 'failed')
              await this.experiments.transition(exp, 'failed', { exitCode: o.exitCode, error: o.error });
            else if (o.status === 'cancelled' && job.cancelRequested)
              await this.experiments.transition(exp, 'cancelled', {
                exitCode: o.exitCode,
                error: 'cancelled',
              });
            else if (o.status === 'cancelled')
              // Nobody asked: the machine stopped the agent (Slurm's SIGTERM to a killed job, a
              // shutdown), so the run did not finish.
              await this.experiments.transition(exp, 'lost', {
                exitCode: o.exitCode,
                error: `${(await this.targets.agent(this.tokens.get(msg.agentId) ?? null)).detail || 'the machine'} stopped the agent before the run finished`,
              });
            const again =
              o.status === 'interrupted' &&
              (await requeueInterrupted(this.store, this.experiments, exp, o.reason, o.checkpoint));
            await this.store.experiments.updateJob(job.id, { state: 'done' });
            await this.retire(msg.agentId, exp.target);
            await this.release(job);
            if (again) {
              await this.store.experiments.updateJob(job.id, {
                state: 'queued',
                agentId: null,
                leaseUntil: null,
                runTokenId: null,
              });
              this.notify();
            }
          },
          false,
        );
      default:
        return assertNever(msg);
    }
  }

  private async ack(
    agentId: string,
    tokenId: string | null,
    jobId: string,
    act: (job: JobRecord, exp: ExperimentRecord) => Promise<void>,
    renew = true,
  ): Promise<AgentReply> {
    const job = await this.store.experiments.getJob(jobId);
    if (job && job.agentId === agentId && !(await this.owners.owns(job, tokenId)))
      throw new ApiFailure('forbidden', `job ${jobId} was claimed by another agent token`);
    const exp = job ? await this.store.experiments.getById(job.experimentId) : null;
    if (
      !job ||
      !exp ||
      job.agentId !== agentId ||
      job.state !== 'claimed' ||
      isFinished(ExperimentStatus.parse(exp.status))
    ) {
      const ackedSeq = exp ? await this.experiments.logs.lastSeq(exp.project, exp.id) : 0;
      // Logs of a finished job are still worth keeping (a late flush after the result).
      return { type: 'ack', ackedSeq, cancel: true, gone: true };
    }
    // A result's first step takes the job out of `claimed`: no lease to extend.
    if (renew) {
      const { leaseMs } = await this.settings();
      await this.store.experiments.updateJob(job.id, {
        leaseUntil: new Date(Date.now() + leaseMs).toISOString(),
      });
    }
    await act(job, exp);
    const fresh = await this.store.experiments.getJob(job.id);
    return {
      type: 'ack',
      ackedSeq: await this.experiments.logs.lastSeq(exp.project, exp.id),
      cancel: fresh?.cancelRequested ?? false,
      gone: false,
    };
  }

  private async claim(
    agentId: string,
    waitMs: number,
    tokenId: string | null,
    gone: AbortSignal | undefined,
    valid: () => Promise<boolean>,
  ): Promise<AgentReply> {
    const deadline = Date.now() + waitMs;
    const target = await this.agentTargets.get(this.tokens.get(agentId) ?? tokenId);
    const again = await this.undelivered(agentId, tokenId);
    if (again) return again;
    for (;;) {
      // Nobody is listening for the answer: a job taken now would wait for a lease to end, then be lost.
      if (gone?.aborted) return { type: 'idle' };
      if (!(await valid())) throw new ApiFailure('unauthorized', 'this agent token was revoked');
      const { leaseMs } = await this.settings();
      const cap = await this.targets.get(target).then(
        (t) => t.cap,
        () => 0,
      );
      // check-then-claim runs alone: two agents woken together would both see the same free slot
      const got = await this.exclusive(async () =>
        (await this.busy(target)) < cap && !this.retired.has(agentId)
          ? this.store.experiments.claim(target, agentId, new Date(Date.now() + leaseMs).toISOString())
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
        this.owners.claimed(got.job.id, this.tokens.get(agentId) ?? tokenId);
        await this.targets.recordRun(
          got.experiment.id,
          this.tokens.get(agentId) ?? tokenId,
          this.hosts.get(agentId) ?? '',
        );
        return { type: 'job', job: await this.prepare(got.job, got.experiment) };
      }
      const left = deadline - Date.now();
      if (left <= 0 || !this.timer) return { type: 'idle' };
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
    const { leaseMs } = await this.settings();
    await this.store.experiments.updateJob(job.id, {
      leaseUntil: new Date(Date.now() + leaseMs).toISOString(),
    });
    if (job.runTokenId) await this.store.revokeToken(job.runTokenId, await this.admin());
    this.owners.claimed(job.id, this.tokens.get(agentId) ?? tokenId);
    return { type: 'job', job: await this.prepare(job, exp) };
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

  private claiming: Promise<unknown> = Promise.resolve();

  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.claiming.then(f, f);
    this.claiming = run.catch(() => undefined);
    return run;
  }

  /** Jobs of `target` agents hold now. */
  private busy(target: string): Promise<number> {
    return this.store.experiments.claimedCount(target);
  }

  /** Puts (or clears) why the queued experiments of `target` are still waiting on their rows. */
  private async noteQueued(target: string, error: string | null): Promise<void> {
    if (error === null && !this.noted.delete(target)) return;
    if (error !== null) this.noted.add(target);
    for (const e of await this.store.experiments.queued(target)) {
      if (error === null && !e.error?.startsWith('waiting: ')) continue;
      await this.experiments.note(e, error);
    }
  }

  /** A one-run agent (a Slurm job) is stopped once its run ended: `scancel`. */
  private async retire(agentId: string, target: string): Promise<void> {
    // The local target has no one-run agents; building it reads a setting.
    const t = target === 'local' ? null : await this.targets.get(target).catch(() => null);
    if (!t?.retire) return;
    this.retired.add(agentId);
    const { id } = await this.targets.agent(this.tokens.get(agentId) ?? null);
    if (id) await t.retire(id);
  }

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
    const { mirror, subdir, source, s3 } = await this.project(exp.project);
    const remote = exp.target !== 'local';
    // Remote agents can't reach the mirror's path: they clone and push over Kiln's git HTTP.
    const cloneUrl = remote ? gitHttpUrl(this.url, exp.project, token.token) : mirror;
    // Agents push to the mirror only; the server forwards the result to the project's own remote
    // with the project's credentials, which never leave the server.
    const pushUrls = [cloneUrl];
    const { changeSet, timeline } = presentExperiment(started, 0);
    // Only an attempt after an interrupted one can have a checkpoint to resume from.
    const resumeFrom =
      timeline.filter((t) => t.status === 'starting').length > 1
        ? await this.store.agents.checkpoint(exp.id)
        : null;
    const kind =
      exp.target === 'local' ? 'local' : (await this.targets.get(exp.target).catch(() => null))?.kind;
    return {
      jobId: job.id,
      experimentId: exp.id,
      project: exp.project,
      name: exp.name,
      baseline: exp.baseline,
      cloneUrl,
      pushUrls,
      subdir,
      changeSet,
      // Another server of a cluster may have taken the upload: it is fetched to this one's disk.
      uploads: Object.fromEntries(
        await Promise.all(
          changeSet.inputs.map(async (i) => {
            const up = this.experiments.uploads;
            return [i.path, (await up.fetch(exp.project, i.uploadId)) ?? up.file(exp.project, i.uploadId)];
          }),
        ),
      ),
      timeoutSec: exp.timeoutSec,
      ...jobEnv({ exp, jobId: job.id, url: this.url, token: token.token, source, kind, s3 }),
      ackedSeq: await this.experiments.logs.lastSeq(exp.project, exp.id),
      ...(resumeFrom ? { resumeFrom } : {}),
      ...(exp.message ? { message: exp.message } : {}),
    };
  }

  private async release(job: JobRecord): Promise<void> {
    this.owners.forget(job.id);
    if (job.runTokenId) {
      await this.store.revokeToken(job.runTokenId, await this.admin());
    }
    this.notify();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      // Local agents are this server's own; everything else is done by one server of a cluster.
      const leader = this.leader();
      const now = new Date().toISOString();
      for (const job of leader ? await this.store.experiments.claimed() : []) {
        if (!job.leaseUntil || job.leaseUntil >= now) continue;
        const exp = await this.store.experiments.getById(job.experimentId);
        await this.store.experiments.updateJob(job.id, { state: 'done' });
        if (exp && !isFinished(ExperimentStatus.parse(exp.status))) {
          await this.experiments.transition(exp, 'lost', { error: 'the agent stopped sending heartbeats' });
        }
        await this.release(job);
      }
      if (leader) await watchMachines(this.store, this.experiments, this.targets, (job) => this.release(job));
      for (const [target, want] of await demandByTarget(this.store)) {
        if (!leader && target !== 'local') continue;
        const t = await this.targets.get(target).catch(() => null);
        if (!t) continue;
        // Local agents stay up while anything is active; others come per queued or running run.
        await t.backend.ensureAgents(t.kind === 'local' ? t.cap : Math.min(want, t.cap)).then(
          () => this.noteQueued(target, null),
          (err: unknown) =>
            this.noteQueued(
              target,
              `waiting: no ${t.kind} machine could be started for ${profileOf(target)}: ${err instanceof Error ? err.message : String(err)}`,
            ),
        );
      }
    } finally {
      this.ticking = false;
    }
  }
}
