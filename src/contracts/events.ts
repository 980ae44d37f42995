/** Server-sent events: a union on `type`, handled by one exhaustive switch on the client. */
import { z } from 'zod';
import { FetchState } from './api.js';

export const ServerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('project.fetch'), project: z.string(), state: FetchState, error: z.string().nullable() }),
  z.object({ type: z.literal('table.changed'), project: z.string() }),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;
