import type { Value } from '../../contracts/api.js';

/** An out, metric or plot of a stage; `path` as written, relative to the stage's wdir. */
export interface DvcOut {
  path: string;
  cache: boolean;
  persist: boolean;
  push: boolean;
  remote?: string;
  /** every other flag as written: desc, type, labels, meta, and plot props (x, y, template…) */
  props: Record<string, Value>;
}

/** Params a stage reads: `keys: null` means the whole file. `file` is relative to the wdir. */
export interface DvcParamsDep {
  file: string;
  keys: string[] | null;
}

export interface DvcStage {
  /** the name DVC gives it: `train`, `train@0`, `train@lr-0.1`, `train@a-b` */
  name: string;
  cmd: string | string[];
  /** relative to the dvc.yaml's directory, as written ("." when absent) */
  wdir: string;
  deps: string[];
  params: DvcParamsDep[];
  outs: DvcOut[];
  metrics: DvcOut[];
  plots: DvcOut[];
  frozen: boolean;
  alwaysChanged: boolean;
  desc?: string;
  meta?: Value;
  /** per vars file, the values its definition interpolates (DVC's `tracked_vars`) */
  trackedVars?: Record<string, Record<string, Value>>;
}

/** A top-level plot: `id` is a path, or a name whose `props.y`/`props.x` map files to columns. */
export interface DvcTopPlot {
  id: string;
  props: Record<string, Value>;
}

export interface DvcArtifact {
  path: string;
  type?: string;
  desc?: string;
  labels?: string[];
  meta?: Value;
}

export interface DvcYaml {
  /** directory of the dvc.yaml (from `opts.file`; "" when not given or at the root) */
  dir: string;
  stages: DvcStage[];
  params: string[];
  metrics: string[];
  plots: DvcTopPlot[];
  artifacts: Record<string, DvcArtifact>;
}
