import type { FormParam } from '../../../src/contracts/experiments.js';
import type { CreateExperimentBody, ParamOverride } from '../../../src/contracts/experiments.js';
import type { CiCommitBody } from '../../../src/contracts/ci.js';
import { parseParam, sameValue, type ParamEdit } from './param-values.js';
import { experimentCount } from '../../../src/contracts/overrides.js';
import { emptyMachine, isCloud, machineFor, machineOverrides, type MachineDraft } from './machine.js';
import type { ComputeProfile } from '../../../src/contracts/compute.js';

export const paramId = (p: Pick<FormParam, 'file' | 'key'>): string => `${p.file}:${p.key}`;

export interface ReplacedFile {
  path: string;
  uploadId: string;
  size: number;
  fileName: string;
}

/** Everything the user changed in the drawer; params hold the typed text per param id. */
export interface RunDraft {
  params: Record<string, string>;
  inputs: ReplacedFile[];
  /** null keeps the default script. */
  script: string | null;
  name: string;
  message: string;
  timeoutMin: number;
  /** `local` or a compute profile's name. */
  target: string;
  /** A cloud profile's machine fields (ignored for other targets). */
  machine: MachineDraft;
}

export const emptyDraft = (name: string): RunDraft => ({
  params: {},
  inputs: [],
  script: null,
  name,
  message: '',
  timeoutMin: 24 * 60,
  target: 'local',
  machine: emptyMachine(),
});

export interface ParamState {
  param: FormParam;
  edit: ParamEdit | null;
  changed: boolean;
}

export function paramStates(params: readonly FormParam[], draft: RunDraft): ParamState[] {
  return params.map((param) => {
    const text = draft.params[paramId(param)];
    if (text === undefined) return { param, edit: null, changed: false };
    const edit = parseParam(text, param.value);
    const changed = edit.kind !== 'value' || !sameValue(edit.value, param.value);
    return { param, edit, changed };
  });
}

export interface DraftSummary {
  /** Params changed, files replaced, and the script if edited. */
  changes: number;
  paramChanges: number;
  scriptChanged: boolean;
  experiments: number;
  errors: string[];
}

export function summarize(
  params: readonly FormParam[],
  draft: RunDraft,
  defaultScript: string,
  profile?: Pick<ComputeProfile, 'kind'>,
): DraftSummary {
  const states = paramStates(params, draft);
  const errors = states.flatMap((s) =>
    s.edit?.kind === 'error' ? [`${s.param.key}: ${s.edit.message}`] : [],
  );
  // A cloud profile's machine fields must be well-formed (the server checks its limits).
  if (draft.target !== 'local' && profile && isCloud(profile.kind))
    errors.push(...machineOverrides(draft.machine).errors);
  const sweeps = states.flatMap((s) => (s.edit?.kind === 'sweep' ? [s.edit.count] : []));
  const scriptChanged = draft.script !== null && draft.script !== defaultScript;
  const paramChanges = states.filter((s) => s.changed).length;
  return {
    changes: paramChanges + draft.inputs.length + (scriptChanged ? 1 : 0),
    paramChanges,
    scriptChanged,
    experiments: experimentCount(sweeps),
    errors,
  };
}

function overrides(
  params: readonly FormParam[],
  draft: RunDraft,
): { params: ParamOverride[]; set: string[] } {
  const out: { params: ParamOverride[]; set: string[] } = { params: [], set: [] };
  for (const s of paramStates(params, draft)) {
    if (!s.changed || !s.edit) continue;
    if (s.edit.kind === 'value')
      out.params.push({ file: s.param.file, key: s.param.key, value: s.edit.value });
    if (s.edit.kind === 'sweep') out.set.push(`${s.param.file}:${s.param.key}=${s.edit.text}`);
  }
  return out;
}

export function createBody(
  rev: string,
  params: readonly FormParam[],
  draft: RunDraft,
  defaultScript: string,
  profile?: Pick<ComputeProfile, 'kind'>,
): CreateExperimentBody {
  const o = overrides(params, draft);
  const machine = draft.target === 'local' ? undefined : machineFor(profile, draft.machine);
  const message = draft.message.trim();
  return {
    rev,
    name: draft.name.trim() || undefined,
    message: message || undefined,
    params: o.params,
    set: o.set,
    inputs: draft.inputs.map((i) => ({ path: i.path, uploadId: i.uploadId })),
    script: draft.script !== null && draft.script !== defaultScript ? draft.script : undefined,
    target: draft.target,
    ...(machine ? { machine } : {}),
    timeoutSec: Math.round(draft.timeoutMin * 60),
  };
}

export interface CiDraft {
  message: string;
  description: string;
  branch: 'base' | 'new';
  newBranch: string;
  base: string;
  skipStudio: boolean;
}

/** A CI commit carries single values only: a sweep cannot be committed. */
export function ciBody(
  rev: string,
  params: readonly FormParam[],
  draft: RunDraft,
  ci: CiDraft,
): CiCommitBody {
  const o = overrides(params, draft);
  return {
    rev,
    params: o.params,
    ...(draft.inputs.length > 0 && {
      inputs: draft.inputs.map((i) => ({ path: i.path, uploadId: i.uploadId })),
    }),
    message: ci.message.trim(),
    description: ci.description.trim() || undefined,
    base: ci.base.trim() || undefined,
    branch: ci.branch === 'base' ? { kind: 'base' } : { kind: 'new', name: ci.newBranch.trim() || undefined },
    skipStudio: ci.skipStudio,
  };
}
