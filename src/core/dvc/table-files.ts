import type { DvcYaml } from './dvc-yaml-model.js';
import { joinPath } from './posix-path.js';
import type { Value } from '../../contracts/api.js';
import { isValueRecord } from './value.js';

export interface TableFiles {
  /** `keys: null` means the whole file */
  params: Array<{ file: string; keys: string[] | null }>;
  metrics: string[];
  plots: string[];
  /** per vars file, the values stages interpolate from it, by dotted key (DVC's `_collect_vars`) */
  vars: Record<string, Record<string, Value>>;
}

/** The params, metrics and plots files a dvc.yaml names, joined with its directory and wdirs. */
export function collectTableFiles(d: DvcYaml): TableFiles {
  const params = new Map<string, string[] | null>();
  const addParams = (file: string, keys: string[] | null): void => {
    const cur = params.get(file);
    if (!params.has(file)) params.set(file, keys === null ? null : [...keys]);
    else if (cur !== null && cur !== undefined)
      params.set(file, keys === null ? null : [...cur, ...keys.filter((k) => !cur.includes(k))]);
  };
  const metrics = new Set<string>();
  const plots = new Set<string>();
  const vars: Record<string, Record<string, Value>> = {};
  for (const s of d.stages) {
    for (const [file, used] of Object.entries(s.trackedVars ?? {})) Object.assign((vars[file] ??= {}), used);
    for (const p of s.params) addParams(joinPath(d.dir, s.wdir, p.file), p.keys);
    for (const m of s.metrics) metrics.add(joinPath(d.dir, s.wdir, m.path));
    for (const p of s.plots) plots.add(joinPath(d.dir, s.wdir, p.path));
  }
  for (const f of d.params) addParams(joinPath(d.dir, f), null);
  for (const m of d.metrics) metrics.add(joinPath(d.dir, m));
  for (const p of d.plots) {
    const sources = [p.props['y'], p.props['x']].filter(isValueRecord).flatMap((m) => Object.keys(m));
    if (sources.length === 0) plots.add(joinPath(d.dir, p.id));
    for (const f of sources) plots.add(joinPath(d.dir, f));
  }
  return {
    params: [...params].map(([file, keys]) => ({ file, keys })),
    metrics: [...metrics],
    plots: [...plots],
    vars,
  };
}
