import { QueryClient, useQueryClient } from '@tanstack/react-query';
import { ApiFailure } from './api-error.js';
import { useServerEvents } from './use-server-events.js';

/**
 * The web's server-state cache (TanStack Query). A query is keyed by what it shows (`project:demo`,
 * `compute-profiles`, …), so two pages that show the same thing share one request and one answer,
 * and a change made on one page reaches the other. A page opened again shows what it had at once
 * and refreshes behind it. Only a transient failure (the network, a 5xx, a 429) is retried; a 4xx
 * is an answer, shown at once.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, err) => failures < 2 && transient(err),
      retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 4000),
      refetchOnWindowFocus: false,
      // Every mount asks again (the old loader did); the cached answer shows meanwhile.
      staleTime: 0,
    },
  },
});

function transient(err: unknown): boolean {
  if (!(err instanceof ApiFailure)) return true;
  return err.status >= 500 || err.status === 429 || err.status === 0;
}

/**
 * What the server says changed makes the queries that show it stale: a project's finished fetch
 * refreshes that project's pages; a run's status change refreshes the run's own page. Mounted
 * only while someone is signed in (the event stream needs a session). Pages that follow the
 * stream themselves (the table, logs) keep doing so.
 */
export function ServerStateSync(): null {
  const client = useQueryClient();
  useServerEvents({
    onFetch: (e) => {
      if (e.state === 'fetching') return;
      void client.invalidateQueries({ queryKey: [`project:${e.project}`] });
      void client.invalidateQueries({ queryKey: [`project-settings:${e.project}`] });
    },
    onExperimentStatus: (e) => void client.invalidateQueries({ queryKey: [`${e.project}/${e.name}`] }),
  });
  return null;
}
