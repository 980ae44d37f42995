import type { ExperimentStatus } from '../../../src/contracts/api.js';

/** The one place experiment statuses get their colours; the CSS reads these custom properties. */
export const STATUS_COLORS: Record<ExperimentStatus, { fg: string; bg: string }> = {
  queued: { fg: '#475569', bg: '#f1f5f9' },
  starting: { fg: '#0369a1', bg: '#e0f2fe' },
  running: { fg: '#1d4ed8', bg: '#dbeafe' },
  saving: { fg: '#6d28d9', bg: '#ede9fe' },
  succeeded: { fg: '#15803d', bg: '#dcfce7' },
  failed: { fg: '#b91c1c', bg: '#fee2e2' },
  cancelled: { fg: '#57534e', bg: '#e7e5e4' },
  lost: { fg: '#c2410c', bg: '#ffedd5' },
  stale: { fg: '#a16207', bg: '#fef9c3' },
  pushed: { fg: '#0f766e', bg: '#ccfbf1' },
};
