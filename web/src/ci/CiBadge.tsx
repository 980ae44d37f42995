import type { CiState, CommitCiSummary } from '../../../src/contracts/ci.js';
import { STATUS_COLORS } from '../table/status.js';
import './ci-badge.css';

/** CI states wear the colour of the experiment status they mean, the same everywhere. */
const LOOK: Record<Exclude<CiState, 'none'>, { label: string; color: string }> = {
  pending: { label: 'CI pending', color: STATUS_COLORS.queued.fg },
  running: { label: 'CI running', color: STATUS_COLORS.running.fg },
  passed: { label: 'CI passed', color: STATUS_COLORS.succeeded.fg },
  failed: { label: 'CI failed', color: STATUS_COLORS.failed.fg },
  cancelled: { label: 'CI cancelled', color: STATUS_COLORS.cancelled.fg },
};

/** Only http(s) links from the forge become hrefs. */
function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * A commit's CI at a glance: a status dot and label linking to the CI run, the pull request
 * Kiln opened ("#12"), and a CML report icon; renders nothing when there is none of these.
 */
export function CiBadge({
  summary,
  compact = false,
}: {
  summary: CommitCiSummary | undefined;
  compact?: boolean;
}) {
  if (!summary) return null;
  const look = summary.state === 'none' ? null : LOOK[summary.state];
  const runHref = safeHref(summary.url);
  const prHref = safeHref(summary.pr?.url);
  const cmlHref = safeHref(summary.cml?.url);
  if (!look && !prHref && !cmlHref) return null;

  const status = look && (
    <>
      <span
        className={`ci-dot${summary.state === 'running' ? ' ci-dot-live' : ''}`}
        style={{ background: look.color }}
        aria-hidden="true"
      />
      {!compact && <span className="ci-label">{look.label.slice(3)}</span>}
    </>
  );
  return (
    <span className="ci-badge" data-ci-state={summary.state}>
      {look &&
        (runHref ? (
          <a
            className="ci-status"
            href={runHref}
            target="_blank"
            rel="noreferrer noopener"
            aria-label={`${look.label}: open the CI run`}
            title={`${look.label}: open the CI run`}
          >
            {status}
          </a>
        ) : (
          <span className="ci-status" role="img" aria-label={look.label} title={look.label}>
            {status}
          </span>
        ))}
      {prHref && summary.pr && (
        <a
          className="ci-pr"
          href={prHref}
          target="_blank"
          rel="noreferrer noopener"
          aria-label={`Pull request #${summary.pr.number}`}
          title={`Pull request #${summary.pr.number}`}
        >
          #{summary.pr.number}
        </a>
      )}
      {cmlHref && (
        <a
          className="ci-cml"
          href={cmlHref}
          target="_blank"
          rel="noreferrer noopener"
          aria-label="CML report"
          title="CML report"
        >
          <svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true" focusable="false">
            <path
              d="M3 1.5h7l3 3v10H3z M10 1.5v3h3 M5.5 12V9.5 M8 12V7 M10.5 12v-1.5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.3"
              strokeLinejoin="round"
            />
          </svg>
        </a>
      )}
    </span>
  );
}
