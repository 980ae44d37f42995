import type { ExperimentStatus } from '../../../src/contracts/api.js';
import { STATUS_COLORS } from '../table/status.js';

export function StatusChip({ status }: { status: ExperimentStatus }) {
  const c = STATUS_COLORS[status];
  return (
    <span className={`status status-${status}`} style={{ color: c.fg, background: c.bg }}>
      {status === 'running' && <span className="pulse" style={{ background: c.fg }} />}
      {status}
    </span>
  );
}
