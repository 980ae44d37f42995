import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Me } from '../../../src/contracts/api.js';
import { api } from '../api.js';
import { errorMessage } from '../api-error.js';
import { navigate } from '../router.js';

export function LoginPage({ code, onLogin }: { code: string | null; onLogin: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(code !== null);
  const [error, setError] = useState<string | null>(null);
  const usedCode = useRef<string | null>(null);

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
        setError(`This login link did not work: ${errorMessage(err)}. Sign in with an access token instead.`);
      },
    );
  }, [code, onLogin]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) return;
    setBusy(true);
    setError(null);
    api.login({ token: token.trim() }).then(
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

  return (
    <div className="login">
      <form className="login-card" onSubmit={submit}>
        <div className="brand brand-lg">
          <span className="brand-mark" />
          Kiln
        </div>
        <p className="muted">Sign in with an access token, or open the login link Kiln printed at start.</p>
        <label className="field">
          <span>Access token</span>
          <input
            type="password"
            autoFocus
            autoComplete="current-password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder="kiln_…"
            disabled={busy}
          />
        </label>
        {error && (
          <div className="banner banner-error" role="alert">
            {error}
          </div>
        )}
        <button className="btn btn-primary btn-block" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          Lost access? Run <code>kiln admin token</code> on the server.
        </p>
      </form>
    </div>
  );
}
