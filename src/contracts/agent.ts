/**
 * The agent protocol: every message an agent sends is a POST of {@link AgentMessage} to
 * `/api/agent` with `Authorization: token <agent token>` (scope `agent`); the server answers
 * with the matching {@link AgentReply}. Logs are numbered chunks; the server acknowledges the
 * highest sequence it has stored, and the agent resends anything not yet acknowledged, so a
 * reconnect after a network failure or a server restart loses and doubles nothing.
 */
import { z } from 'zod';
import { ChangeSet, LogChunk } from './experiments.js';

export const AgentId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/);

/** What an agent is asked to run. */
export const JobSpec = z.object({
  jobId: z.string(),
  experimentId: z.string(),
  project: z.string(),
  name: z.string(),
  baseline: z.string(),
  /** What the person wrote when starting the run: the result commit's message keeps it. */
  message: z.string().max(10_000).optional(),
  /** Where to clone the baseline from (the server's mirror). */
  cloneUrl: z.string(),
  /** Git URLs the result ref is pushed to (the mirror, then the project's source remote). */
  pushUrls: z.array(z.string()),
  /** Project directory inside the repo ("" for the root). */
  subdir: z.string(),
  changeSet: ChangeSet,
  /** Absolute paths of uploaded replacement files, by repo path (local agents only). */
  uploads: z.record(z.string(), z.string()),
  timeoutSec: z.number().int(),
  /** Environment for the job script: DVC_STUDIO_*, DVC_EXP_*, KILN_*. */
  env: z.record(z.string(), z.string()),
  /** Values to mask in the job's log. */
  secrets: z.array(z.string()),
  /** Chunks up to this sequence are already stored (non-zero when a job is resumed). */
  ackedSeq: z.number().int().min(0),
  /** A checkpoint commit of an earlier, interrupted attempt to resume from (its files restored). */
  resumeFrom: z
    .string()
    .regex(/^[0-9a-f]{40,64}$/)
    .optional(),
});
export type JobSpec = z.infer<typeof JobSpec>;

export const RunState = z.enum(['starting', 'running', 'saving']);
export type RunState = z.infer<typeof RunState>;

export const JobOutcome = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('succeeded'),
    resultCommit: z.string().regex(/^[0-9a-f]{40,64}$/),
    pushErrors: z.array(z.string()),
  }),
  z.object({
    status: z.literal('failed'),
    exitCode: z.number().int().nullable(),
    error: z.string().max(10_000),
  }),
  z.object({ status: z.literal('cancelled'), exitCode: z.number().int().nullable() }),
  /** The machine was reclaimed (spot): the server queues the same experiment again from the checkpoint. */
  z.object({
    status: z.literal('interrupted'),
    reason: z.string().max(1000),
    checkpoint: z
      .string()
      .regex(/^[0-9a-f]{40,64}$/)
      .nullable(),
  }),
]);
export type JobOutcome = z.infer<typeof JobOutcome>;

export const AgentMessage = z.discriminatedUnion('type', [
  /** First message: returns the agent's id (kept across reconnects when given back). */
  z.object({
    type: z.literal('register'),
    agentId: AgentId.optional(),
    hostname: z.string().max(255),
    pid: z.number().int(),
    version: z.string().max(50),
    /** Jobs this agent is still running (after a server restart). */
    running: z.array(z.string()).max(100),
  }),
  /** Long-poll for a job: answered with `job` or, after `waitMs`, `idle`. */
  z.object({ type: z.literal('claim'), agentId: AgentId, waitMs: z.number().int().min(0).max(30_000) }),
  /** Renews the lease of a job; the reply says whether to cancel it. */
  z.object({ type: z.literal('heartbeat'), agentId: AgentId, jobId: z.string() }),
  z.object({
    type: z.literal('log'),
    agentId: AgentId,
    jobId: z.string(),
    chunks: z.array(LogChunk).max(1000),
  }),
  z.object({ type: z.literal('state'), agentId: AgentId, jobId: z.string(), state: RunState }),
  z.object({ type: z.literal('result'), agentId: AgentId, jobId: z.string(), outcome: JobOutcome }),
]);
export type AgentMessage = z.infer<typeof AgentMessage>;

export const AgentReply = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('registered'),
    agentId: AgentId,
    heartbeatMs: z.number().int(),
    leaseMs: z.number().int(),
  }),
  z.object({ type: z.literal('job'), job: JobSpec }),
  z.object({ type: z.literal('idle') }),
  /** For heartbeat, log, state and result: `ackedSeq` is the highest stored log chunk; `cancel` asks the agent to stop the job; `gone` means the server has given the job up (lost or finished). */
  z.object({ type: z.literal('ack'), ackedSeq: z.number().int(), cancel: z.boolean(), gone: z.boolean() }),
]);
export type AgentReply = z.infer<typeof AgentReply>;
