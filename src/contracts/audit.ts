/** The audit trail as the API returns it: `GET /api/audit`, `kiln audit`, Settings → Audit. */
import { z } from 'zod';

export const AuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  /** session | token | agent | anonymous | system */
  actorKind: z.enum(['session', 'token', 'agent', 'anonymous', 'system']),
  ip: z.string().nullable(),
  /** Readable: `run.queued`, `token.created`, `signin.failed`, … */
  action: z.string(),
  project: z.string().nullable(),
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'denied', 'failed']),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

const Instant = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date or time (use e.g. 2026-12-01 or an ISO time)')
  .transform((s) => new Date(s).toISOString());

export const AuditQuery = z.object({
  /** A person's name (or id). */
  person: z.string().min(1).max(200).optional(),
  /** An action (`run.queued`) or a family (`run.`). */
  action: z.string().min(1).max(100).optional(),
  project: z.string().min(1).max(64).optional(),
  since: Instant.optional(),
  until: Instant.optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type AuditQuery = z.input<typeof AuditQuery>;

export const AuditPage = z.object({
  events: z.array(AuditEvent),
  /** Pass as `cursor` for the next, older page; null on the last page. */
  next: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;
