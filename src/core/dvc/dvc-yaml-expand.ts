import type { Value } from '../../contracts/api.js';
import {
  InterpolationError,
  hasInterpolation,
  mergeContext,
  resolveDeep,
  toStr,
  type Context,
} from './interpolate.js';
import { isValueRecord } from './value.js';
import { VarsSources, type TrackedVars } from './vars-sources.js';

/** One stage definition after foreach/matrix expansion and interpolation. */
export interface ExpandedStage {
  name: string;
  definition: Value;
  /** where its definition sits in the dvc.yaml, for errors */
  at: Array<string | number>;
  /** the values of vars files its definition interpolates */
  trackedVars: TrackedVars;
}

/** Reads one `vars` entry of a stage: its values, and the file they came from (null if inline). */
export type ReadVars = (
  item: string | Record<string, Value>,
  wdir: string,
) => { values: Context; source: string | null };

const isComposite = (v: Value): boolean => typeof v === 'object' && v !== null;

export function expandStages(
  group: string,
  def: Value,
  ctx: Context,
  readVars: ReadVars,
  sources: VarsSources = new VarsSources(),
): ExpandedStage[] {
  const at = ['stages', group];
  if (!isValueRecord(def)) throw new InterpolationError(`stage '${group}' must be a mapping`);
  if ('foreach' in def || 'matrix' in def) {
    if ('foreach' in def && 'matrix' in def)
      throw new InterpolationError(`stage '${group}' has both 'foreach' and 'matrix'`);
    const iterations =
      'foreach' in def ? foreachIterations(group, def, ctx) : matrixIterations(group, def, ctx);
    const template = 'foreach' in def ? def['do'] : withoutKey(def, 'matrix');
    if (template === undefined) throw new InterpolationError(`foreach stage '${group}' has no 'do'`);
    const extra = Object.keys(def).filter((k) => k !== 'foreach' && k !== 'do');
    if ('foreach' in def && extra.length > 0)
      throw new InterpolationError(`unexpected key '${extra[0] ?? ''}' beside 'foreach' and 'do'`);
    const tAt = 'foreach' in def ? [...at, 'do'] : at;
    return [...iterations].map(([key, local]) =>
      resolveStage(`${group}@${key}`, template, { ...ctx, ...local }, readVars, tAt, {
        sources,
        local: new Set(Object.keys(local)),
      }),
    );
  }
  return [resolveStage(group, def, ctx, readVars, at, { sources, local: new Set() })];
}

function withoutKey(d: Record<string, Value>, key: string): Record<string, Value> {
  const out = { ...d };
  delete out[key];
  return out;
}

function foreachIterations(group: string, def: Record<string, Value>, ctx: Context): Map<string, Context> {
  const data = resolveDeep(def['foreach'] ?? null, ctx, { allowComposite: true });
  const out = new Map<string, Context>();
  if (Array.isArray(data)) {
    const byIndex = data.some(isComposite);
    data.forEach((item, i) => out.set(byIndex ? String(i) : toStr(item), { item }));
  } else if (isValueRecord(data)) {
    for (const [key, item] of Object.entries(data)) out.set(key, { item, key });
  } else
    throw new InterpolationError(
      `foreach of stage '${group}' must be a list or a mapping, found ${describe(data)}`,
    );
  return out;
}

function matrixIterations(group: string, def: Record<string, Value>, ctx: Context): Map<string, Context> {
  const matrix = def['matrix'];
  if (!isValueRecord(matrix))
    throw new InterpolationError(`matrix of stage '${group}' must be a mapping of lists`);
  const axes: Array<[string, Value[]]> = Object.entries(matrix).map(([k, v]) => {
    const values = resolveDeep(v, ctx, { allowComposite: true });
    if (!Array.isArray(values))
      throw new InterpolationError(
        `matrix '${k}' of stage '${group}' must be a list, found ${describe(values)}`,
      );
    return [k, values];
  });
  let combos: Array<{ fragments: string[]; item: Record<string, Value> }> = [{ fragments: [], item: {} }];
  for (const [k, values] of axes) {
    combos = combos.flatMap((c) =>
      values.map((v, i) => ({
        fragments: [...c.fragments, isComposite(v) ? `${k}${i}` : toStr(v)],
        item: { ...c.item, [k]: v },
      })),
    );
  }
  return new Map(combos.map((c) => [c.fragments.join('-'), { item: c.item }]));
}

function describe(v: Value): string {
  return v === null ? 'nothing' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

function resolveStage(
  name: string,
  def: Value,
  outer: Context,
  readVars: ReadVars,
  at: Array<string | number>,
  origin: { sources: VarsSources; local: ReadonlySet<string> },
): ExpandedStage {
  if (!isValueRecord(def)) throw new InterpolationError(`stage '${name}' must be a mapping`);
  // foreach/matrix's own `item`/`key` are not vars of any file (DVC's local context)
  const sources = new VarsSources(origin.sources);
  const trackedVars: TrackedVars = {};
  const onSelect = (keys: string[], v: Value): void => {
    if (!origin.local.has(keys[0] ?? '')) sources.track(trackedVars, keys, v);
  };
  const wdirRaw = def['wdir'];
  const wdir = wdirRaw === undefined ? '.' : resolveDeep(wdirRaw, outer, { onSelect });
  if (typeof wdir !== 'string') throw new InterpolationError(`wdir of stage '${name}' must be a string`);
  let ctx = outer;
  const vars = def['vars'];
  if (vars !== undefined) {
    if (!Array.isArray(vars)) throw new InterpolationError(`vars of stage '${name}' must be a list`);
    if (hasInterpolation(vars)) throw new InterpolationError('interpolation is not allowed in vars');
    ctx = { ...outer };
    for (const item of vars) {
      if (typeof item !== 'string' && !isValueRecord(item))
        throw new InterpolationError(`vars of stage '${name}' must hold file names or mappings`);
      const read = readVars(item, wdir);
      mergeContext(ctx, read.values, `${name}.vars`);
      if (read.source !== null) sources.add(read.source, read.values);
    }
  }
  const definition: Record<string, Value> = {};
  for (const [k, v] of Object.entries(def)) {
    if (k === 'vars') continue;
    definition[k] = k === 'wdir' ? wdir : resolveDeep(v, ctx, { cmd: k === 'cmd', onSelect });
  }
  return { name, definition, at, trackedVars };
}
