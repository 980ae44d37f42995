/** Server-sent events: a union on `type`, handled by one exhaustive switch on the client. */
import { z } from 'zod';
import { ExperimentStatus, FetchState } from './api.js';
import { LogChunk } from './experiments.js';
import { LiveUpdate } from './live.js';

export const ServerEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('project.fetch'),
    project: z.string(),
    state: FetchState,
    error: z.string().nullable(),
  }),
  z.object({ type: z.literal('table.changed'), project: z.string() }),
  /**
   * Who may read a project changed (a role, a membership, the project deleted, a token revoked):
   * every server forgets what its event streams remembered. `project` is `*` for any project;
   * `tokenId` names a revoked token whose streams end. Never sent to browsers.
   */
  z.object({ type: z.literal('access.changed'), project: z.string(), tokenId: z.string().nullable() }),
  /** An experiment was created or changed state (queued, starting, running, saving, finished). */
  z.object({
    type: z.literal('experiment.status'),
    project: z.string(),
    id: z.string(),
    name: z.string(),
    status: ExperimentStatus,
    exitCode: z.number().int().nullable(),
  }),
  /** A stored chunk of an experiment's output log, in sequence order. */
  z.object({
    type: z.literal('experiment.log'),
    project: z.string(),
    id: z.string(),
    name: z.string(),
    chunk: LogChunk,
  }),
  /** Cached CI statuses or Kiln's pull requests changed for these commits (all of the project's when empty). */
  z.object({ type: z.literal('ci.status'), project: z.string(), shas: z.array(z.string()) }),
  /** A live experiment changed: new metrics, status, and plot rows since the last one (see live.ts). */
  LiveUpdate.extend({ type: z.literal('live.update') }),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;
