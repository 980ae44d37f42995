import { useCallback, useEffect, useState } from 'react';
import type { Me } from '../../src/contracts/api.js';
import { api, UNAUTHORIZED_EVENT } from './api.js';
import { ApiFailure } from './api-error.js';

export type AuthState =
  | { state: 'loading' }
  | { state: 'anonymous' }
  | { state: 'error'; error: unknown }
  | { state: 'signed-in'; me: Me };

/** Who is signed in; any 401 from any call flips back to anonymous. */
export function useAuth(): { auth: AuthState; setMe: (me: Me | null) => void; retry: () => void } {
  const [auth, setAuth] = useState<AuthState>({ state: 'loading' });
  const load = useCallback(() => {
    setAuth({ state: 'loading' });
    api.me().then(
      (me) => setAuth(me.user === null ? { state: 'anonymous' } : { state: 'signed-in', me }),
      (error: unknown) =>
        setAuth(
          error instanceof ApiFailure && error.status === 401
            ? { state: 'anonymous' }
            : { state: 'error', error },
        ),
    );
  }, []);
  useEffect(() => {
    load();
    const onUnauthorized = () => setAuth({ state: 'anonymous' });
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [load]);
  const setMe = useCallback(
    (me: Me | null) => setAuth(me ? { state: 'signed-in', me } : { state: 'anonymous' }),
    [],
  );
  return { auth, setMe, retry: load };
}
