import { z } from 'zod';
import { ProjectList } from '../../src/contracts/api.js';
import {
  CiCommitResult,
  GeneratedWorkflow,
  type CiCommitBody,
  type WizardInput,
} from '../../src/contracts/ci.js';
import {
  ComputeProfile,
  ComputeProfileList,
  Credential,
  CredentialList,
  CredentialTest,
  type ComputeProfileInput,
  type CredentialInput,
} from '../../src/contracts/compute.js';
import { PlotsResponse } from '../../src/contracts/live.js';
import { UNAUTHORIZED_EVENT } from './api.js';
import { ApiFailure, failureFrom } from './api-error.js';

type Method = 'GET' | 'POST' | 'DELETE';

/** Same contract as api.ts's request: typed by a zod schema, failures as ApiFailure. */
async function call<S extends z.ZodType>(
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
      signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiFailure(0, 'network', 'Cannot reach the Kiln server');
  }
  if (!res.ok) {
    const failure = await failureFrom(res);
    if (res.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    throw failure;
  }
  const text = await res.text();
  const parsed = schema.safeParse(text === '' ? {} : JSON.parse(text));
  if (!parsed.success)
    throw new ApiFailure(
      res.status,
      'bad_response',
      `Unexpected response from ${method} ${path}`,
      z.prettifyError(parsed.error),
    );
  return parsed.data;
}

const Ignored = z.unknown();
const project = (name: string): string => `/api/projects/${encodeURIComponent(name)}`;
const compute = '/api/compute';

export interface PlotsQueryArgs {
  revs: readonly string[];
  exps: readonly string[];
}

function plotsQuery(q: PlotsQueryArgs): string {
  const s = new URLSearchParams();
  for (const r of q.revs) s.append('rev', r);
  for (const e of q.exps) s.append('exp', e);
  return s.toString();
}

export const insightsApi = {
  plots: (name: string, q: PlotsQueryArgs, signal?: AbortSignal) =>
    call('GET', `${project(name)}/plots?${plotsQuery(q)}`, PlotsResponse, undefined, signal),
  projects: () => call('GET', '/api/projects', ProjectList),
  ciWorkflow: (input: WizardInput, signal?: AbortSignal) =>
    call('POST', '/api/ci/workflow', GeneratedWorkflow, input, signal),
  ciCommit: (name: string, body: CiCommitBody) =>
    call('POST', `${project(name)}/ci-commits`, CiCommitResult, body),
  credentials: () => call('GET', `${compute}/credentials`, CredentialList),
  putCredential: (input: CredentialInput) => call('POST', `${compute}/credentials`, Credential, input),
  removeCredential: (name: string) =>
    call('DELETE', `${compute}/credentials/${encodeURIComponent(name)}`, Ignored),
  testCredential: (name: string) =>
    call('POST', `${compute}/credentials/${encodeURIComponent(name)}/test`, CredentialTest),
  profiles: () => call('GET', `${compute}/profiles`, ComputeProfileList),
  createProfile: (input: ComputeProfileInput) => call('POST', `${compute}/profiles`, ComputeProfile, input),
  removeProfile: (name: string) => call('DELETE', `${compute}/profiles/${encodeURIComponent(name)}`, Ignored),
};
