import { useState, type FormEvent } from 'react';
import { accountApi } from './api-account.js';
import { navigate } from '../router.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';

const SCOPE_WORDS: Record<string, string> = {
  live: 'post live metrics and experiment pushes to your projects — nothing else',
  read: 'read your projects',
  run: 'read your projects and run experiments in them',
  admin: 'do everything you can do',
};

/**
 * `verification_uri?code=USER_CODE` of the device login (`dvc studio login`, `kiln login`): shows
 * which client asks for what, and approves or denies it as the signed-in person.
 */
export function DeviceLoginPage({ code }: { code: string | null }) {
  const [typed, setTyped] = useState(code ?? '');
  if (!code)
    return (
      <div className="page page-narrow">
        <h1>Device login</h1>
        <form
          className="card inline-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            navigate(`/device-login?code=${encodeURIComponent(typed.trim())}`);
          }}
        >
          <label>
            Code shown on the device{' '}
            <input
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              placeholder="ABCD-EFGH"
              autoFocus
            />
          </label>
          <button className="btn btn-primary" disabled={!typed.trim()}>
            Continue
          </button>
        </form>
      </div>
    );
  return <DeviceRequest code={code} />;
}

function DeviceRequest({ code }: { code: string }) {
  const req = useAsync(() => accountApi.deviceRequest(code), `device-${code}`);
  const [done, setDone] = useState<'approved' | 'denied' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const decide = (approve: boolean) => {
    if (!req.data) return;
    setBusy(true);
    setError(null);
    (approve ? accountApi.approveDevice(req.data.user_code) : accountApi.denyDevice(req.data.user_code)).then(
      () => setDone(approve ? 'approved' : 'denied'),
      (err: unknown) => {
        setError(err);
        setBusy(false);
      },
    );
  };

  return (
    <div className="page page-narrow">
      <h1>Device login</h1>
      {req.data === undefined && req.error ? (
        <ErrorState title="No such login waiting" error={req.error} onRetry={req.reload} />
      ) : req.data === undefined ? (
        <Skeleton rows={3} columns={2} />
      ) : done ? (
        <section className="card" role="status">
          {done === 'approved' ? (
            <p>
              Approved. <b>{req.data.client_name}</b> now has the token <b>{req.data.token_name}</b>; you can
              close this page.
            </p>
          ) : (
            <p>Denied. {req.data.client_name} gets no token.</p>
          )}
        </section>
      ) : (
        <section className="card">
          <p>
            <b>{req.data.client_name}</b> asks for an access token named <b>{req.data.token_name}</b>.
          </p>
          <p>
            Check the code it shows: <code className="mono">{req.data.user_code}</code>
          </p>
          <p>
            Scope <b>{req.data.scope}</b>: it may {SCOPE_WORDS[req.data.scope] ?? req.data.scope}
            {req.data.scopes.length > 0 && (
              <span className="muted"> (asked for {req.data.scopes.join(', ')})</span>
            )}
            .
          </p>
          <p className="muted">Approve only if you started this login yourself.</p>
          <ErrorBanner error={error} onClose={() => setError(null)} />
          <div className="inline-form">
            <button className="btn btn-primary" disabled={busy} onClick={() => decide(true)}>
              Approve
            </button>
            <button className="btn" disabled={busy} onClick={() => decide(false)}>
              Deny
            </button>
          </div>
        </section>
      )}
    </div>
  );
}
