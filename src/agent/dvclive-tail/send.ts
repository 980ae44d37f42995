import type { LiveEvent } from '../../contracts/live.js';
import { LiveOutage, type LiveSender } from './tailer.js';

/**
 * Posts events to `${studioUrl}/api/live` as `dvc-studio-client` does (`Authorization: token …`,
 * 5 s timeout); anything but 200 rejects.
 */
export function httpSender(studioUrl: string, token: string, timeoutMs = 5000): LiveSender {
  const url = new URL('api/live', studioUrl.endsWith('/') ? studioUrl : `${studioUrl}/`).toString();
  return async (event: LiveEvent) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `token ${token}` },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((err: unknown) => {
      throw new LiveOutage(`live post failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 500) throw new LiveOutage(`live post answered ${res.status}`);
    if (res.status !== 200) throw new Error(`live post answered ${res.status}`);
  };
}
