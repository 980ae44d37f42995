import { useSyncExternalStore } from 'react';

const NAV_EVENT = 'kiln:navigate';

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV_EVENT));
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(NAV_EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(NAV_EVENT, cb);
  };
}

const snapshot = (): string => window.location.pathname + window.location.search;

/** The current path + search, re-rendering on navigation. */
export function useLocation(): URL {
  const href = useSyncExternalStore(subscribe, snapshot);
  return new URL(href, window.location.origin);
}

export type Route =
  | { page: 'login'; code: string | null }
  | { page: 'invite'; token: string }
  | { page: 'projects' }
  | { page: 'project'; name: string }
  | { page: 'project-settings'; name: string }
  | { page: 'experiment'; name: string; exp: string }
  | { page: 'compare'; name: string; revs: string[] }
  | { page: 'trends'; name: string }
  | { page: 'ci-wizard'; project: string | null }
  | { page: 'settings' }
  | { page: 'audit' }
  | { page: 'device-login'; code: string | null }
  | { page: 'not-found' };

export function matchRoute(url: URL): Route {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third, fourth] = parts;
  if (first === 'login') return { page: 'login', code: url.searchParams.get('code') };
  if (first === 'invite' && second !== undefined && third === undefined)
    return { page: 'invite', token: second };
  if (first === undefined) return { page: 'projects' };
  if (first === 'settings' && second === undefined) return { page: 'settings' };
  if (first === 'settings' && second === 'audit' && third === undefined) return { page: 'audit' };
  if (first === 'device-login' && second === undefined)
    return { page: 'device-login', code: url.searchParams.get('code') };
  if (first === 'ci' && second === undefined)
    return { page: 'ci-wizard', project: url.searchParams.get('project') };
  if (first === 'projects' && second !== undefined && third === undefined)
    return { page: 'project', name: second };
  if (first === 'projects' && second !== undefined && third === 'settings')
    return { page: 'project-settings', name: second };
  if (first === 'projects' && second !== undefined && (third === 'compare' || third === 'trends') && !fourth)
    return third === 'compare'
      ? { page: 'compare', name: second, revs: url.searchParams.getAll('rev') }
      : { page: 'trends', name: second };
  if (
    first === 'projects' &&
    second !== undefined &&
    third === 'experiments' &&
    fourth !== undefined &&
    parts.length === 4
  )
    return { page: 'experiment', name: second, exp: fourth };
  return { page: 'not-found' };
}

export const projectPath = (name: string): string => `/projects/${encodeURIComponent(name)}`;
export const experimentPath = (name: string, exp: string): string =>
  `${projectPath(name)}/experiments/${encodeURIComponent(exp)}`;
