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
  LocalCompute,
  type ComputeProfileInput,
  type CredentialInput,
} from '../../src/contracts/compute.js';
import { PlotsResponse } from '../../src/contracts/live.js';
import { request as call } from './api.js';

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
  localCompute: () => call('GET', `${compute}/local`, LocalCompute),
  setLocalConcurrency: (concurrency: number) =>
    call('PUT', `${compute}/local`, LocalCompute.pick({ concurrency: true }), { concurrency }),
  createProfile: (input: ComputeProfileInput) => call('POST', `${compute}/profiles`, ComputeProfile, input),
  removeProfile: (name: string) => call('DELETE', `${compute}/profiles/${encodeURIComponent(name)}`, Ignored),
};
