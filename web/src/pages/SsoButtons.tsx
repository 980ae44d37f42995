import { useState } from 'react';
import type { SignInProvider } from '../../../src/contracts/identity.js';
import { identityApi } from '../api-identity.js';
import { errorMessage } from '../api-error.js';

/** One button per sign-in provider; a click goes to the provider (and comes back signed in). */
export function SsoButtons({ providers, invite }: { providers: SignInProvider[]; invite?: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (providers.length === 0) return null;
  const go = (id: string) => {
    setBusy(id);
    setError(null);
    identityApi.startSso(id, invite).then(
      ({ url }) => window.location.assign(url),
      (err: unknown) => {
        setBusy(null);
        setError(errorMessage(err));
      },
    );
  };
  return (
    <div className="sso-buttons">
      {providers.map((p) => (
        <button
          key={p.id}
          type="button"
          className="btn btn-block"
          disabled={busy !== null}
          onClick={() => go(p.id)}
        >
          {busy === p.id ? 'Going to ' : 'Continue with '}
          {p.displayName}
        </button>
      ))}
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
