import { useState } from 'react';
import type { ProjectWebhook } from '../../../src/contracts/ci.js';
import { ApiFailure } from '../api-error.js';
import { ciApi } from '../ci/ci-api.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, Skeleton } from '../ui/States.js';

/**
 * The project's own webhook secret: the forge signs (GitHub, Gitea, Bitbucket) or sends (GitLab)
 * it with each push and CI event, so the table's CI badges refresh at once.
 */
export function WebhookSection({ project }: { project: string }) {
  const hook = useAsync(() => ciApi.webhook(project), `webhook:${project}`);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState(false);

  const change = (secret: 'generate' | null) => {
    if (
      secret === null &&
      !window.confirm('Remove this project’s webhook secret? Its webhooks then need the server-wide secret.')
    )
      return;
    setBusy(true);
    setError(null);
    ciApi.setWebhook(project, secret).then(
      (h: ProjectWebhook) => {
        setBusy(false);
        setCopied(false);
        setShown(secret !== null);
        hook.setData(() => h);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  // No clipboard over plain http (not localhost): show the secret to copy by hand instead.
  const copy = (secret: string) => {
    if (!window.isSecureContext || !navigator.clipboard) {
      setShown(true);
      return;
    }
    navigator.clipboard.writeText(secret).then(
      () => setCopied(true),
      () => setShown(true),
    );
  };

  const h = hook.data;
  // Webhook secrets are an admin's: other users do not see the section at all.
  if (hook.error instanceof ApiFailure && hook.error.status === 403) return null;
  return (
    <section className="card form webhook-section" aria-label="Webhook">
      <h2>Webhook</h2>
      <p className="muted">
        Point the forge’s webhook at one of these addresses with this secret: pushes and CI runs then refresh
        the table’s CI badges at once.
      </p>
      {h === undefined && hook.error ? (
        <ErrorBanner error={hook.error} />
      ) : h === undefined ? (
        <Skeleton rows={2} columns={2} />
      ) : (
        <>
          <div className="field">
            <span>Addresses</span>
            <ul className="webhook-paths mono">
              {h.paths.map((p) => (
                <li key={p}>{new URL(p, window.location.origin).toString()}</li>
              ))}
            </ul>
          </div>
          <div className="field">
            <span>Secret</span>
            {h.secret === null ? (
              <div className="muted webhook-secret">
                None for this project: the server-wide secret applies.
              </div>
            ) : (
              <div className="webhook-secret mono">
                {shown ? h.secret : '•'.repeat(Math.min(32, h.secret.length))}
              </div>
            )}
          </div>
          <ErrorBanner error={error} />
          <div className="form-actions">
            {h.secret !== null && (
              <>
                <button type="button" className="btn" onClick={() => setShown((s) => !s)}>
                  {shown ? 'Hide' : 'Show'}
                </button>
                <button type="button" className="btn" onClick={() => h.secret && copy(h.secret)}>
                  {copied ? 'Copied' : 'Copy'}
                </button>
              </>
            )}
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => change('generate')}
            >
              {h.secret === null ? 'Generate a secret' : 'Rotate'}
            </button>
            {h.secret !== null && (
              <button type="button" className="btn btn-ghost" disabled={busy} onClick={() => change(null)}>
                Remove
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}
