import type { ParamOverride } from '../../contracts/experiments.js';
import { editParamsText } from '../../core/run/params-edit.js';
import { expandSetArgs } from '../../core/run/sweep.js';
import { ApiFailure } from '../api-error.js';

/** Reads a params file of the baseline (path relative to the project directory), null if absent. */
export type ReadFile = (file: string) => Promise<string | null>;

/**
 * Turns typed overrides and `-S` arguments into one checked list of overrides per experiment
 * (several for a sweep). Every edit is tried on the baseline's files here, so a bad key, a
 * wrong type or a path outside the repo is refused before anything is stored.
 */
export async function planOverrides(
  params: readonly ParamOverride[],
  set: readonly string[],
  read: ReadFile,
): Promise<ParamOverride[][]> {
  const combos = expandSetArgs(set);
  if (!combos.ok) throw new ApiFailure('bad_request', combos.error);
  const files = new Set([...params.map((p) => p.file), ...(combos.value[0] ?? []).map((o) => o.file)]);
  const texts = new Map<string, string>();
  for (const file of files) {
    const text = await read(file);
    if (text === null) throw new ApiFailure('bad_request', `the baseline has no params file "${file}"`);
    texts.set(file, text);
  }
  const out: ParamOverride[][] = [];
  for (const combo of combos.value) {
    const all = [...params, ...combo];
    const checked: ParamOverride[] = [];
    for (const [file, text] of texts) {
      const edits = all.filter((o) => o.file === file).map((o) => ({ key: o.key, value: o.value }));
      if (edits.length === 0) continue;
      const r = editParamsText(file, text, edits);
      if (!r.ok) throw new ApiFailure('bad_request', r.error);
      checked.push(...r.applied.map((e) => ({ file, key: e.key, value: e.value })));
    }
    out.push(checked);
  }
  return out;
}
