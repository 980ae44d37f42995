import type { ZodType } from 'zod';
import { ApiError } from '../contracts/api.js';
import { savedLogin } from './login-config.js';

/** A failed CLI action: printed as `kiln: <message>` with exit code 1 (2 for usage errors). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface ClientOptions {
  url?: string | undefined;
  token?: string | undefined;
}

/** The HTTP API client every client command uses; the CLI has no other way to the server. */
export class ApiClient {
  readonly base: string;
  private readonly token: string;

  constructor(opts: ClientOptions, env: NodeJS.ProcessEnv) {
    const url = opts.url || env.KILN_URL || undefined;
    const given = opts.token || env.KILN_TOKEN || undefined;
    // Without --token/KILN_TOKEN, the token `kiln login` saved for this server (or the last one).
    const saved = given ? null : savedLogin(env, url);
    this.base = (url ?? saved?.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
    const token = given ?? saved?.token;
    if (!token)
      throw new CliError(
        'no access token: run `kiln login`, pass --token or set KILN_TOKEN (`kiln admin token` prints one)',
        2,
      );
    this.token = token;
  }

  async request<T>(method: string, path: string, schema: ZodType<T>, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          authorization: `token ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new CliError(
        `cannot reach Kiln at ${this.base}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
      );
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(`${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const err = ApiError.safeParse(json);
      throw new CliError(err.success ? err.data.error : `${method} ${path}: HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new CliError(`${method} ${path}: unexpected response from the server: ${parsed.error.message}`);
    return parsed.data;
  }
}
