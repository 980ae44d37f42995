import { RepoPath, type Value } from '../../contracts/api.js';
import {
  combinations,
  MAX_EXPERIMENTS,
  parseSetArg,
  sweepSize,
  sweepTooLarge,
  type Parsed,
  type SetArg,
} from '../../contracts/overrides.js';
import { parseCliValue } from './coerce.js';

export interface Override {
  file: string;
  key: string;
  value: Value;
}

/** Parses `-S` arguments with the one grammar, and refuses a params file outside the repository. */
function parseAll(set: readonly string[]): Parsed<SetArg[]> {
  const args: SetArg[] = [];
  for (const s of set) {
    const r = parseSetArg(s);
    if (!r.ok) return r;
    if (!RepoPath.safeParse(r.value.file).success)
      return { ok: false, error: `params file "${r.value.file}" is not a path inside the repository` };
    args.push(r.value);
  }
  return { ok: true, value: args };
}

/**
 * `-S` arguments as the overrides of each experiment they make (one list per combination).
 * The sweep's size is computed before anything is expanded, so an oversized sweep costs nothing.
 */
export function expandSetArgs(set: readonly string[], max = MAX_EXPERIMENTS): Parsed<Override[][]> {
  const args = parseAll(set);
  if (!args.ok) return args;
  const tooLarge = sweepTooLarge(args.value, max);
  if (tooLarge) return { ok: false, error: tooLarge };
  return {
    ok: true,
    value: combinations(args.value).map((combo) =>
      combo.map((o) => ({ file: o.file, key: o.key, value: parseCliValue(o.text) })),
    ),
  };
}

/** `-S` arguments of a single commit (a CI experiment): one value per param, no sweep. */
export function singleSetArgs(set: readonly string[]): Parsed<Override[]> {
  const args = parseAll(set);
  if (!args.ok) return args;
  const sweep = args.value.findIndex((a) => sweepSize(a.sweep) !== 1);
  if (sweep >= 0)
    return {
      ok: false,
      error: `-S "${set[sweep] ?? ''}": a CI commit takes one value per param, not a sweep`,
    };
  const combos = expandSetArgs(set, 1);
  return combos.ok ? { ok: true, value: combos.value[0] ?? [] } : combos;
}
