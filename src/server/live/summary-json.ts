import { z } from 'zod';
import { Value } from '../../contracts/api.js';
import type { LiveSummary } from '../../core/live/summary.js';

const Files = z.record(z.string(), z.record(z.string(), Value));

/** A stored LiveSummary, validated when read back from the database. */
export const LiveSummaryJson: z.ZodType<LiveSummary> = z.object({
  done: z.boolean(),
  step: z.number().int().nullable(),
  message: z.string(),
  client: z.string(),
  experimentRev: z.string().nullable(),
  params: Files,
  metrics: Files,
  errors: z.record(z.string(), z.string()),
  machine: z.record(z.string(), Value),
});
