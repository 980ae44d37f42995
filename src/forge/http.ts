import type { ZodType } from 'zod';
import type { ForgeKind } from '../contracts/ci.js';
import { ForgeError } from './port.js';

/** One JSON call to a forge API; the answer is validated against `schema`. */
export async function forgeJson<T>(
  forge: ForgeKind,
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: unknown },
  schema: ZodType<T>,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (err) {
    throw new ForgeError(forge, null, `cannot reach ${new URL(url).origin}: ${String(err)}`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ForgeError(forge, res.status, `HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok)
    throw new ForgeError(forge, res.status, `HTTP ${res.status}: ${errorText(json) ?? text.slice(0, 300)}`);
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new ForgeError(
      forge,
      res.status,
      `unexpected answer from ${url}: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  return parsed.data;
}

function errorText(json: unknown): string | null {
  if (typeof json !== 'object' || json === null) return null;
  for (const key of ['message', 'error']) {
    const v: unknown = Reflect.get(json, key);
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null) {
      const m: unknown = Reflect.get(v, 'message');
      if (typeof m === 'string') return m;
    }
  }
  return null;
}
