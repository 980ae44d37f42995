import { z } from 'zod';
import {
  AccessToken,
  CreatedToken,
  type CreateTokenBody,
  Me,
  MeAnswer,
  Project,
  ProjectList,
  type CreateProjectBody,
  type LoginBody,
  type UpdateProjectBody,
} from '../../src/contracts/api.js';
import { ApiFailure, failureFrom } from './api-error.js';
import { PackedTablePageResponse, type TablePageResponse } from './table-page-schema.js';
import { unpackRows } from './table/packed.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Fired on any 401 so the app can show the login page wherever the call came from. */
export const UNAUTHORIZED_EVENT = 'kiln:unauthorized';

/**
 * Every API call of the UI: JSON in, the answer checked against its zod contract, failures as
 * {@link ApiFailure} with the server's message; an aborted call rethrows the AbortError.
 */
export async function request<S extends z.ZodType>(
  method: Method,
  path: string,
  schema: S,
  body?: unknown,
  signal?: AbortSignal,
): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiFailure(
      0,
      'network',
      `Cannot reach the Kiln server (${err instanceof Error ? err.message : 'network error'})`,
    );
  }
  if (!res.ok) {
    const failure = await failureFrom(res);
    if (res.status === 401 && !path.startsWith('/api/auth/'))
      window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    throw failure;
  }
  const text = await res.text();
  const json: unknown = text === '' ? {} : JSON.parse(text);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiFailure(
      res.status,
      'bad_response',
      `Unexpected response from ${method} ${path}`,
      z.prettifyError(parsed.error),
    );
  }
  return parsed.data;
}

const Ignored = z.unknown();
const TokenList = z.object({ tokens: z.array(AccessToken) });
const project = (name: string): string => `/api/projects/${encodeURIComponent(name)}`;

export interface TableQueryArgs {
  all: boolean;
  offset: number;
  limit: number;
}

export const api = {
  /** Who is signed in; `{user: null}` when nobody is (no failed request on the sign-in page). */
  me: () => request('GET', '/api/me', MeAnswer),
  login: (body: LoginBody) => request('POST', '/api/auth/login', Me, body),
  logout: () => request('POST', '/api/auth/logout', Ignored),
  tokens: () => request('GET', '/api/tokens', TokenList),
  createToken: (body: CreateTokenBody) => request('POST', '/api/tokens', CreatedToken, body),
  revokeToken: (id: string) => request('DELETE', `/api/tokens/${encodeURIComponent(id)}`, Ignored),
  projects: () => request('GET', '/api/projects', ProjectList),
  createProject: (body: CreateProjectBody) => request('POST', '/api/projects', Project, body),
  project: (name: string) => request('GET', project(name), Project),
  updateProject: (name: string, body: UpdateProjectBody) => request('PATCH', project(name), Project, body),
  deleteProject: (name: string) => request('DELETE', project(name), Ignored),
  reload: (name: string) => request('POST', `${project(name)}/reload`, Project),
  /** A whole table page with its rows spelled out, fetched in the compact column format. */
  table: async (name: string, q: TableQueryArgs): Promise<z.infer<typeof TablePageResponse>> => {
    const page = await request(
      'GET',
      `${project(name)}/table?all=${q.all ? '1' : '0'}&offset=${String(q.offset)}&limit=${String(q.limit)}&format=columns`,
      PackedTablePageResponse,
    );
    return { ...page, rows: unpackRows(page) };
  },
};
