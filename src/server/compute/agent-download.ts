import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiFailure } from '../api-error.js';
import type { Authenticator } from '../auth.js';
import type { makeRoute } from '../route.js';

/** dist/agent.mjs of this install (built by `npm run build`). */
export function agentBundlePath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../../../..']) {
    const p = path.resolve(here, up, 'dist', 'agent.mjs');
    if (existsSync(p)) return p;
  }
  return path.resolve(here, '../../..', 'dist', 'agent.mjs');
}

/**
 * `GET /api/compute/agent.mjs` with an `agent` token: the single-file agent a VM's startup
 * script fetches. Agent tokens are refused by user routes, so this route checks its own.
 */
export function registerAgentDownload(
  route: ReturnType<typeof makeRoute>,
  auth: Authenticator,
  bundle = agentBundlePath(),
): void {
  route({ method: 'GET', url: '/api/compute/agent.mjs', permission: 'agent' }, async ({ reply }) => {
    if (!existsSync(bundle))
      throw new ApiFailure('not_found', 'the agent bundle is not built: npm run build');
    return reply.type('text/javascript').send(createReadStream(bundle));
  });
}
