import { randomBytes } from 'node:crypto';
import { LogController, type FastifyServerOptions } from 'fastify';

/** Where a request's credentials or secrets could appear in a log record: never written. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-gitlab-token"]',
  'req.headers["x-hub-signature-256"]',
  'headers.authorization',
  'headers.cookie',
  '*.token',
  '*.password',
  '*.secret',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.privateKey',
];

/** Credentials that error messages may quote (a git URL, a header): replaced before logging. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(\/\/[^/\s:@]*:)[^@\s/]+@/g, '$1***@')
    .replace(/\b(token|bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 ***')
    .replace(/\bkiln_[A-Za-z0-9_-]{16,}/g, 'kiln_***');
}

function serializeError(err: Error): { type: string; message: string; stack: string } {
  return {
    type: err.name,
    message: scrubSecrets(String(err.message)),
    stack: scrubSecrets(err.stack ?? ''),
  };
}

/**
 * Fastify's own logger (pino), one JSON line a record on `stream` (stdout by default): each
 * record of a request carries its `reqId`, the id every error reply names too, so a user's
 * "request abc123 failed" leads to its log line. Requests are not logged one by one; failures are.
 */
export function loggerOptions(
  level: string,
  stream?: { write(line: string): void },
): Pick<FastifyServerOptions, 'logger' | 'logController' | 'genReqId'> {
  return {
    logger: {
      level,
      redact: { paths: REDACT, censor: '***' },
      serializers: { err: serializeError },
      ...(stream ? { stream } : {}),
    },
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomBytes(6).toString('hex'),
  };
}
