import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { CiSummaries, type CommitCiSummary } from '../../../src/contracts/ci.js';
import { request } from '../api.js';
import { useServerEvents } from '../use-server-events.js';
import { CiSummaryCache } from './ci-summary-cache.js';

/** While a shown commit's CI is pending or running, ask again this often (the server's cache answers). */
const POLL_MS = 30_000;

const cache = new CiSummaryCache((project, shas) =>
  request(
    'GET',
    `/api/projects/${encodeURIComponent(project)}/ci/commits?shas=${shas.join(',')}`,
    CiSummaries,
  ),
);

let polling: ReturnType<typeof setInterval> | null = null;
let pollers = 0;
function startPolling(): () => void {
  pollers++;
  polling ??= setInterval(() => cache.pollActive(), POLL_MS);
  return () => {
    pollers--;
    if (pollers === 0 && polling) {
      clearInterval(polling);
      polling = null;
    }
  };
}

/**
 * The CI summary (state, CI run link, Kiln's pull request, CML report) of each of `shas`, keyed
 * by sha; shas not answered yet are absent. Every view's asks in one tick share one request of at
 * most 200 shas; the server's `ci.status` events refetch the commits they name.
 */
export function useCiSummaries(
  project: string,
  shas: readonly string[],
): Readonly<Record<string, CommitCiSummary>> {
  const key = [...new Set(shas)].sort().join(',');
  useEffect(() => {
    if (!key) return;
    const release = cache.use(project, key.split(','));
    const stop = startPolling();
    return () => {
      release();
      stop();
    };
  }, [project, key]);
  useServerEvents({
    onCiStatus: (e) => {
      if (e.project === project) cache.invalidate(project, e.shas);
    },
  });
  const version = useSyncExternalStore(cache.subscribe, cache.snapshot);
  return useMemo(() => {
    const out: Record<string, CommitCiSummary> = {};
    if (!key) return out;
    for (const sha of key.split(',')) {
      const s = cache.get(project, sha);
      if (s) out[sha] = s;
    }
    return out;
  }, [project, key, version]);
}
