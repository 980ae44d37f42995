import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { LoginBody, Me } from '../../../src/contracts/api.js';
import { api } from '../api.js';
import { errorMessage } from '../api-error.js';
import { identityApi } from '../api-identity.js';
import { navigate } from '../router.js';
import { useAsync } from '../use-async.js';
import { SsoButtons } from './SsoButtons.js';

/**
 * Sign-in: user name + password, one button per SSO provider, an access token (for admins of
 * a fresh install), and the one-time login link Kiln prints at start (`?code=`). A refused SSO
 * sign-in comes back here with `?error=`.
 */
export function LoginPage({ code, onLogin }: { code: string | null; onLogin: (me: Me) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [withToken, setWithToken] = useState(false);
  const [busy, setBusy] = useState(code !== null);
  const [error, setError] = useState<string | null>(() =>
    new URLSearchParams(window.location.search).get('error'),
  );
  const usedCode = useRef<string | null>(null);
  const providers = useAsync(() => identityApi.providers().then((r) => r.providers), 'sign-in-providers');

  useEffect(() => {
    // StrictMode runs effects twice; a login code is single-use, so send it once.
    if (code === null || usedCode.current === code) return;
    usedCode.current = code;
    api.login({ code }).then(
      (me) => {
        onLogin(me);
        navigate('/', { replace: true });
      },
      (err: unknown) => {
        setBusy(false);
        setError(`This login link did not work: ${errorMessage(err)}. Sign in another way.`);
      },
    );
  }, [code, onLogin]);

  const signIn = (body: LoginBody) => {
    setBusy(true);
    setError(null);
    api.login(body).then(
      (me) => {
        onLogin(me);
        if (window.location.pathname === '/login') navigate('/', { replace: true });
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorMessage(err));
      },
    );
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (withToken) {
      if (token.trim()) signIn({ token: token.trim() });
    } else if (name.trim() && password) signIn({ name: name.trim(), password });
  };
  const ready = withToken ? Boolean(token.trim()) : Boolean(name.trim() && password);

  return (
    <div className="login">
      <form className="login-card" onSubmit={submit} aria-label="Sign in">
        <div className="brand brand-lg">
          <span className="brand-mark" />
          Kiln
        </div>
        {withToken ? (
          <label className="field">
            <span>Access token</span>
            <input
              type="password"
              autoFocus
              value={token}
              onChange={(e) => setToken(e.target.value)}
              placeholder="kiln_…"
              disabled={busy}
            />
          </label>
        ) : (
          <>
            <label className="field">
              <span>User name</span>
              <input
                autoFocus
                autoComplete="username"
                value={name}
                onChange={(e) => setName(e.target.value)}
                disabled={busy}
              />
            </label>
            <label className="field">
              <span>Password</span>
              <input
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                disabled={busy}
              />
            </label>
          </>
        )}
        {error && (
          <div className="banner banner-error" role="alert">
            {error}
          </div>
        )}
        <button className="btn btn-primary btn-block" disabled={busy || !ready}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <SsoButtons providers={providers.data ?? []} />
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setWithToken((t) => !t)}>
          {withToken ? 'Sign in with a user name and password' : 'Sign in with an access token'}
        </button>
        <p className="hint">
          First time here? Open the invite link you were sent, or the login link Kiln printed at start. Lost
          access? Run <code>kiln admin token</code> on the server.
        </p>
      </form>
    </div>
  );
}
