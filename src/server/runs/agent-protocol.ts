import { randomUUID } from 'node:crypto';
import type { AgentMessage, AgentReply } from '../../contracts/agent.js';
import { ExperimentStatus } from '../../contracts/api.js';
import { assertNever } from '../../contracts/errors.js';
import { canMove, isFinished } from '../../contracts/run-lifecycle.js';
import type { ExperimentRecord, JobRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Targets } from '../compute/targets.js';
import type { Dispatcher } from './dispatcher.js';
import type { ExperimentService } from './experiment-service.js';
import { requeueInterrupted } from './interrupted.js';
import { forwardResult } from './target-watch.js';

/** A result's forward to the project's remote may take this long (git push's own time limit). */
const RESULT_LEASE_MS = 10 * 60_000;

/**
 * The server's side of the agent protocol (`contracts/agent.ts`, `POST /api/agent`): answers
 * each message an agent sends: register, claim (through the dispatcher), heartbeat, log, state
 * and result, each acknowledged with the highest stored log sequence and whether to cancel.
 */
export class AgentProtocol {
  constructor(
    private readonly store: Store,
    private readonly experiments: ExperimentService,
    private readonly dispatcher: Dispatcher,
    private readonly targets: Targets,
  ) {}

  /**
   * `tokenId` is the agent's token: it tells the agent's target and where it runs. `gone` aborts
   * when the agent's request is closed before its answer; `valid` says whether the token still is.
   */
  async answer(
    msg: AgentMessage,
    tokenId: string | null = null,
    gone?: AbortSignal,
    valid: () => Promise<boolean> = async () => true,
  ): Promise<AgentReply> {
    this.dispatcher.checkAgent(msg.agentId, tokenId);
    switch (msg.type) {
      case 'register': {
        const { leaseMs } = await this.dispatcher.settings();
        const until = new Date(Date.now() + leaseMs).toISOString();
        const agentId = msg.agentId ?? randomUUID();
        this.dispatcher.register(agentId, tokenId, msg.hostname);
        for (const id of msg.running) {
          const job = await this.store.experiments.getJob(id);
          if (
            job?.state === 'claimed' &&
            job.agentId === agentId &&
            (await this.dispatcher.owners.owns(job, tokenId))
          )
            await this.store.experiments.updateJob(id, { leaseUntil: until });
        }
        return { type: 'registered', agentId, heartbeatMs: Math.max(200, Math.floor(leaseMs / 6)), leaseMs };
      }
      case 'claim':
        return this.dispatcher.claim(msg.agentId, msg.waitMs, tokenId, gone, valid);
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
        return this.ack(msg.agentId, tokenId, msg.jobId, (job, exp) => this.result(msg, job, exp), false);
      default:
        return assertNever(msg);
    }
  }

  private async result(
    msg: Extract<AgentMessage, { type: 'result' }>,
    job: JobRecord,
    exp: ExperimentRecord,
  ): Promise<void> {
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
      await this.experiments.transition(exp, 'cancelled', { exitCode: o.exitCode, error: 'cancelled' });
    else if (o.status === 'cancelled')
      // Nobody asked: the machine stopped the agent (Slurm's SIGTERM to a killed job, a
      // shutdown), so the run did not finish.
      await this.experiments.transition(exp, 'lost', {
        exitCode: o.exitCode,
        error: `${(await this.targets.agent(this.dispatcher.tokenOf(msg.agentId))).detail || 'the machine'} stopped the agent before the run finished`,
      });
    const again =
      o.status === 'interrupted' &&
      (await requeueInterrupted(this.store, this.experiments, exp, o.reason, o.checkpoint));
    await this.store.experiments.updateJob(job.id, { state: 'done' });
    await this.dispatcher.retire(msg.agentId, exp.target);
    await this.dispatcher.release(job);
    if (again) await this.dispatcher.requeue(job);
  }

  private async ack(
    agentId: string,
    tokenId: string | null,
    jobId: string,
    act: (job: JobRecord, exp: ExperimentRecord) => Promise<void>,
    renew = true,
  ): Promise<AgentReply> {
    const job = await this.store.experiments.getJob(jobId);
    if (job && job.agentId === agentId && !(await this.dispatcher.owners.owns(job, tokenId)))
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
    if (renew)
      await this.store.experiments.updateJob(job.id, { leaseUntil: await this.dispatcher.leaseFromNow() });
    await act(job, exp);
    const fresh = await this.store.experiments.getJob(job.id);
    return {
      type: 'ack',
      ackedSeq: await this.experiments.logs.lastSeq(exp.project, exp.id),
      cancel: fresh?.cancelRequested ?? false,
      gone: false,
    };
  }
}
