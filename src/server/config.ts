import path from 'node:path';
import { z } from 'zod';

/** Server configuration, parsed once from flags and environment; nothing else reads process.env. */
export const ServerConfig = z.object({
  home: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  databaseUrl: z.string().url().optional(),
  secretKey: z.string().min(16).optional(),
  fetchIntervalSec: z.coerce.number().int().min(0),
  createDemo: z.boolean(),
  publicUrl: z.string().url().optional(),
  /** A live experiment with no event for this many seconds shows `stale` (default 600). */
  liveStaleSec: z.coerce.number().int().min(1).optional(),
  /** Local directories projects may be added from (and file:// URLs); default: the demo repository only. */
  sourceRoots: z.array(z.string().min(1)).optional(),
  /** Whether project URLs may point at loopback, link-local and private addresses. */
  allowPrivateSources: z.boolean().optional(),
  /** How the local target starts an agent (argv before `--url`); tests and benchmarks only. */
  agentCommand: z.array(z.string()).min(1).optional(),
  /** The request log's level (pino's; default `info`, where only failures are written). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

export function configFromEnv(
  env: NodeJS.ProcessEnv,
  flags: { home?: string | undefined; port?: string | undefined; host?: string | undefined },
): ServerConfig {
  const r = ServerConfig.safeParse({
    home: path.resolve(flags.home ?? env.KILN_HOME ?? '.kiln'),
    port: flags.port ?? env.KILN_PORT ?? 8080,
    host: flags.host ?? env.KILN_HOST ?? '127.0.0.1',
    databaseUrl: env.KILN_DATABASE_URL || undefined,
    secretKey: env.KILN_SECRET_KEY || undefined,
    fetchIntervalSec: env.KILN_FETCH_INTERVAL ?? 300,
    createDemo: env.KILN_NO_DEMO !== '1',
    publicUrl: env.KILN_PUBLIC_URL || undefined,
    liveStaleSec: env.KILN_LIVE_STALE_SEC || 600,
    logLevel: env.KILN_LOG_LEVEL || undefined,
    ...(env.KILN_SOURCE_ROOTS
      ? {
          sourceRoots: env.KILN_SOURCE_ROOTS.split(path.delimiter)
            .filter(Boolean)
            .map((r) => path.resolve(r)),
        }
      : {}),
    allowPrivateSources: env.KILN_ALLOW_PRIVATE_SOURCES === '1',
  });
  if (!r.success) {
    throw new Error(
      `invalid configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}
