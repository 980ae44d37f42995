import type { ExperimentStatus } from '../../../src/contracts/api.js';
import { STATUS_COLORS } from '../table/status.js';
import { Elapsed } from './Elapsed.js';

/**
 * A status in its one colour. A running one given `since` (when it started) counts the time
 * it has run, live; a queued one given `since` (when it was queued) the time it has waited.
 */
export function StatusChip({ status, since }: { status: ExperimentStatus; since?: string | null }) {
  const c = STATUS_COLORS[status];
  const started = (status === 'running' || status === 'queued') && since ? Date.parse(since) : Number.NaN;
  return (
    <span className={`status status-${status}`} style={{ color: c.fg, background: c.bg }}>
      {status === 'running' && <span className="pulse" style={{ background: c.fg }} />}
      {status}
      {Number.isFinite(started) && (
        <span className="status-elapsed" title={status === 'queued' ? 'Waiting for' : 'Running for'}>
          {' · '}
          <Elapsed since={started} />
        </span>
      )}
    </span>
  );
}
