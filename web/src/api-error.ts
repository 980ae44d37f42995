import { ApiError } from '../../src/contracts/api.js';

/** The one error every API call throws: what failed, the server's code and its detail. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export async function failureFrom(res: Response): Promise<ApiFailure> {
  const text = await res.text().catch(() => '');
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = ApiError.safeParse(body);
  if (parsed.success)
    return new ApiFailure(res.status, parsed.data.code, parsed.data.error, parsed.data.detail);
  const fallback = text.trim().slice(0, 300) || res.statusText || 'request failed';
  return new ApiFailure(res.status, 'http_' + String(res.status), `HTTP ${res.status}: ${fallback}`);
}

/** A readable message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiFailure) return err.detail ? `${err.message} — ${err.detail}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
