import type { Project } from '../../../src/contracts/api.js';
import { relativeTime } from './time.js';

/** `compact` leaves the error text out, for places that show it in a banner of their own. */
export function FetchStatus({ fetch, compact = false }: { fetch: Project['fetch']; compact?: boolean }) {
  const when = fetch.at ? relativeTime(fetch.at) : '';
  switch (fetch.state) {
    case 'never':
      return <span className="fetch fetch-never">Not fetched yet</span>;
    case 'fetching':
      return (
        <span className="fetch fetch-fetching">
          <span className="spinner" /> Fetching…
        </span>
      );
    case 'ok':
      return (
        <span className="fetch fetch-ok" title={fetch.at ?? ''}>
          ✓ Fetched {when}
        </span>
      );
    case 'error':
      return (
        <span className="fetch fetch-error" title={fetch.error ?? ''}>
          ✕ Fetch failed {when}
          {fetch.error && !compact && <span className="fetch-error-text">{fetch.error}</span>}
        </span>
      );
  }
}
