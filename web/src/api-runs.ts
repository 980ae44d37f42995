import {
  CreatedBranch,
  CreatedExperiments,
  Experiment,
  ExperimentForm,
  ExperimentList,
  LogPage,
  UploadedFile,
  type CreateBranchBody,
  type CreateExperimentBody,
} from '../../src/contracts/experiments.js';
import { CiCommitResult, type CiCommitBody } from '../../src/contracts/ci.js';
import { ComputeProfileList, ResolvedMachine, type MachineOverrides } from '../../src/contracts/compute.js';
import { ApiFailure, failureFrom } from './api-error.js';
import { request } from './api.js';

/** The Run form's data, with the baseline's input files. */
export const RunForm = ExperimentForm;
export type RunForm = ExperimentForm;

const project = (name: string): string => `/api/projects/${encodeURIComponent(name)}`;
const exp = (name: string, e: string): string => `${project(name)}/experiments/${encodeURIComponent(e)}`;

export const runsApi = {
  form: (name: string, rev: string) =>
    request('GET', `${project(name)}/experiments-form?rev=${encodeURIComponent(rev)}`, RunForm),
  create: (name: string, body: CreateExperimentBody) =>
    request('POST', `${project(name)}/experiments`, CreatedExperiments, body),
  list: (name: string) => request('GET', `${project(name)}/experiments`, ExperimentList),
  get: (name: string, e: string) => request('GET', exp(name, e), Experiment),
  setPriority: (name: string, e: string, priority: number) =>
    request('PATCH', exp(name, e), Experiment, { priority }),
  cancel: (name: string, e: string) => request('POST', `${exp(name, e)}/cancel`, Experiment),
  runAgain: (name: string, e: string) => request('POST', `${exp(name, e)}/run-again`, CreatedExperiments, {}),
  branch: (name: string, e: string, body: CreateBranchBody) =>
    request('POST', `${exp(name, e)}/branch`, CreatedBranch, body),
  logs: (name: string, e: string, after: number) =>
    request('GET', `${exp(name, e)}/logs?after=${String(after)}`, LogPage),
  logStreamUrl: (name: string, e: string, after: number) =>
    `${exp(name, e)}/logs/stream?after=${String(after)}`,
  ciCommit: (name: string, body: CiCommitBody) =>
    request('POST', `${project(name)}/ci-commits`, CiCommitResult, body),
  profiles: () => request('GET', '/api/compute/profiles', ComputeProfileList),
  /** The machine a cloud profile gives with these overrides, its price and estimate; 400 past a limit. */
  resolve: (profile: string, overrides: MachineOverrides, signal?: AbortSignal) =>
    request('POST', '/api/compute/resolve', ResolvedMachine, { profile, overrides }, signal),
};

export interface UploadHandle {
  done: Promise<UploadedFile>;
  abort: () => void;
}

/** Streams a file as the raw request body; XHR because fetch reports no upload progress. */
export function uploadFile(
  name: string,
  path: string,
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadedFile>((resolve, reject) => {
    xhr.open('POST', `${project(name)}/uploads?path=${encodeURIComponent(path)}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiFailure(0, 'network', 'The upload was interrupted'));
    xhr.onabort = () => reject(new ApiFailure(0, 'aborted', 'Upload cancelled'));
    xhr.onload = () => {
      const res = new Response(xhr.responseText, { status: xhr.status });
      if (xhr.status < 200 || xhr.status >= 300) {
        void failureFrom(res).then(reject);
        return;
      }
      const parsed = UploadedFile.safeParse(JSON.parse(xhr.responseText));
      if (parsed.success) resolve(parsed.data);
      else reject(new ApiFailure(xhr.status, 'bad_response', 'Unexpected response from the upload'));
    };
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
