import { LIVE_LIMITS, type LiveEvent } from '../../contracts/live.js';

export type LimitCheck = { ok: true } | { ok: false; detail: string };

/**
 * Checks an event against the per-request limits, given the byte length of its body.
 * A plot's size is its JSON length (base64 for images).
 */
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** The request-size limit alone, checkable from `Content-Length` before the body is read. */
export function checkRequestBytes(bodyBytes: number): LimitCheck {
  return bodyBytes > LIVE_LIMITS.requestBytes
    ? {
        ok: false,
        detail: `request body is ${mb(bodyBytes)}; the limit is ${mb(LIVE_LIMITS.requestBytes)} a request`,
      }
    : { ok: true };
}

export function checkLimits(e: LiveEvent, bodyBytes: number): LimitCheck {
  const whole = checkRequestBytes(bodyBytes);
  if (!whole.ok) return whole;
  if (e.type !== 'data' || !e.plots) return { ok: true };
  const names = Object.keys(e.plots);
  if (names.length > LIVE_LIMITS.plots)
    return {
      ok: false,
      detail: `event has ${names.length} plots; the limit is ${LIVE_LIMITS.plots} plots a request`,
    };
  // Re-serializing a plot to measure it costs more than the rest of a small event: skip it when the
  // body is too small for any plot to reach the limit. JSON grows at most about 5× when serialized
  // again (`1E20` prints as 21 digits), hence the margin.
  if (bodyBytes > 0 && bodyBytes * 6 < LIVE_LIMITS.plotBytes) return { ok: true };
  for (const [name, plot] of Object.entries(e.plots)) {
    const size = plot.image !== undefined ? plot.image.length : JSON.stringify(plot.data ?? []).length;
    if (size > LIVE_LIMITS.plotBytes)
      return {
        ok: false,
        detail: `plot "${name}" is ${mb(size)}; the limit is ${mb(LIVE_LIMITS.plotBytes)} a plot`,
      };
  }
  return { ok: true };
}
