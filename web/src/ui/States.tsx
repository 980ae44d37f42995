import type { ReactNode } from 'react';
import { errorMessage } from '../api-error.js';

export function ErrorState({
  title,
  error,
  message,
  onRetry,
}: {
  title: string;
  error?: unknown;
  message?: string;
  onRetry?: () => void;
}) {
  return (
    <div className="state state-error" role="alert">
      <div className="state-icon">!</div>
      <h2>{title}</h2>
      <p className="state-message">{message ?? errorMessage(error)}</p>
      {onRetry && (
        <button className="btn" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ErrorBanner({ error, onClose }: { error: unknown; onClose?: () => void }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span>{errorMessage(error)}</span>
      {onClose && (
        <button className="btn-icon" aria-label="Dismiss" onClick={onClose}>
          ×
        </button>
      )}
    </div>
  );
}

export function Skeleton({ rows, columns = 4 }: { rows: number; columns?: number }) {
  return (
    <div className="skeleton" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, r) => (
        <div className="skeleton-row" key={r}>
          {Array.from({ length: columns }, (_, c) => (
            <span
              key={c}
              className="skeleton-bar"
              style={{ width: `${String(40 + ((r * 7 + c * 13) % 50))}%` }}
            />
          ))}
        </div>
      ))}
    </div>
  );
}
