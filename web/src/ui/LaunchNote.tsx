import { useEffect, useState } from 'react';
import type { LaunchState } from '../../../src/contracts/api.js';

/** "in 40 s", "in 2m 05s", or "now" once the time has come. */
function until(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s <= 0) return 'now';
  return s < 60
    ? `in ${String(s)} s`
    : `in ${String(Math.floor(s / 60))}m ${String(s % 60).padStart(2, '0')}s`;
}

/**
 * A queued run whose target failed to start a machine: which attempt failed, why, and when the
 * next one comes, counting down live. After the profile's limit the run fails with the reason.
 */
export function LaunchNote({ launch, compact = false }: { launch: LaunchState; compact?: boolean }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const next = until(Date.parse(launch.nextAt) - now);
  const text = `launch attempt ${String(launch.attempts)} of ${String(launch.maxAttempts)} failed: ${launch.lastError} — next try ${next}`;
  const limit = `Kiln tries ${String(launch.maxAttempts)} times, each after a longer wait, and fails the run after the last one or at ${new Date(launch.giveUpAt).toLocaleTimeString()}.`;
  return (
    <span
      className={compact ? 'launch-note launch-note-compact' : 'launch-note'}
      role="status"
      title={`${text}\n${limit}`}
    >
      {text}
      {!compact && <span className="muted"> · {limit}</span>}
    </span>
  );
}
