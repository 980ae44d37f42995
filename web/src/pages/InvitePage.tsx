import { useState, type FormEvent } from 'react';
import type { Me } from '../../../src/contracts/api.js';
import { errorMessage } from '../api-error.js';
import { identityApi } from '../api-identity.js';
import { navigate } from '../router.js';
import { useAsync } from '../use-async.js';
import { SsoButtons } from './SsoButtons.js';

const MIN_PASSWORD = 10;

/** /invite/<token>: the invitee sets a password (or continues with SSO) and is signed in. */
export function InvitePage({ token, onLogin }: { token: string; onLogin: (me: Me) => void }) {
  const invite = useAsync(() => identityApi.openInvite(token), `invite-${token}`);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const problem =
    password.length > 0 && password.length < MIN_PASSWORD
      ? `At least ${MIN_PASSWORD} characters.`
      : again.length > 0 && again !== password
        ? 'The two passwords differ.'
        : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problem || !password || password !== again) return;
    setBusy(true);
    setError(null);
    identityApi.acceptInvite(token, password).then(
      (me) => {
        onLogin(me);
        navigate('/', { replace: true });
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorMessage(err));
      },
    );
  };

  return (
    <div className="login">
      <form className="login-card" onSubmit={submit} aria-label="Accept invite">
        <div className="brand brand-lg">
          <span className="brand-mark" />
          Kiln
        </div>
        {invite.data === undefined && invite.error ? (
          <>
            <div className="banner banner-error" role="alert">
              {errorMessage(invite.error)}
            </div>
            <a className="btn btn-block" href="/login">
              Go to sign-in
            </a>
          </>
        ) : invite.data === undefined ? (
          <p className="muted">Opening your invite…</p>
        ) : (
          <>
            <p>
              You are invited to team <b>{invite.data.teamName}</b> as <b>{invite.data.role}</b>. Your user
              name is <b className="mono">{invite.data.name}</b>.
            </p>
            <label className="field">
              <span>Choose a password</span>
              <input
                type="password"
                autoFocus
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                disabled={busy}
              />
            </label>
            <label className="field">
              <span>Repeat the password</span>
              <input
                type="password"
                autoComplete="new-password"
                value={again}
                onChange={(e) => setAgain(e.target.value)}
                disabled={busy}
              />
            </label>
            {(problem ?? error) && (
              <div className="banner banner-error" role="alert">
                {problem ?? error}
              </div>
            )}
            <button
              className="btn btn-primary btn-block"
              disabled={busy || !password || password !== again || problem !== null}
            >
              {busy ? 'Signing in…' : 'Set password and sign in'}
            </button>
            {invite.data.providers.length > 0 && (
              <p className="muted">Or sign in with your organisation's account:</p>
            )}
            <SsoButtons providers={invite.data.providers} invite={token} />
            <p className="hint">
              This link works once, until {new Date(invite.data.expiresAt).toLocaleString()}.
            </p>
          </>
        )}
      </form>
    </div>
  );
}
