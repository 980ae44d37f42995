import { isNode, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { Value } from '../../contracts/api.js';
import { RawStage, RawTop, type OutFlags } from './dvc-yaml-schema.js';
import type { DvcOut, DvcParamsDep, DvcStage, DvcTopPlot, DvcYaml } from './dvc-yaml-model.js';
import { expandStages, type ExpandedStage } from './dvc-yaml-expand.js';
import {
  InterpolationError,
  mergeContext,
  resolveDeep,
  hasInterpolation,
  type Context,
} from './interpolate.js';
import { parseParamsFile } from './params-file.js';
import { dirnamePath, joinPath, normalizePath } from './posix-path.js';
import { explainIssue } from './schema-issue.js';
import { isValueRecord, lineOf, toValue } from './value.js';
import { VarsSources } from './vars-sources.js';

export type { DvcArtifact, DvcOut, DvcParamsDep, DvcStage, DvcTopPlot, DvcYaml } from './dvc-yaml-model.js';
export { collectTableFiles } from './table-files.js';

export interface ParseDvcYamlOpts {
  /** path of the dvc.yaml, used in errors and as the base of every path (default "dvc.yaml") */
  file?: string;
  /** reads a vars file (path joined with the dvc.yaml's directory); undefined when absent */
  readVarsFile?: (path: string) => string | undefined;
}

export type DvcYamlResult = { ok: true; value: DvcYaml } | { ok: false; error: string };

type Path = Array<string | number>;

class DvcYamlError extends Error {
  constructor(
    message: string,
    readonly at: Path,
  ) {
    super(message);
  }
}

export function parseDvcYaml(text: string, opts: ParseDvcYamlOpts = {}): DvcYamlResult {
  const file = opts.file ?? 'dvc.yaml';
  const dir = opts.file === undefined ? '' : dirnamePath(file);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const yamlErr = doc.errors[0];
  if (yamlErr !== undefined) {
    const line = yamlErr.linePos?.[0].line ?? lineOf(text, yamlErr.pos[0]);
    return { ok: false, error: `${file}:${line}: invalid YAML: ${yamlErr.message.split('\n')[0] ?? ''}` };
  }
  const where = (at: Path): string => `${file}:${lineAt(doc, text, at)}`;
  try {
    const js = toValue(doc.toJS());
    if (js !== null && !isValueRecord(js)) throw new DvcYamlError('expected a mapping at the top level', []);
    const top = check(RawTop, js ?? {}, []);
    const sources = new VarsSources();
    const ctx = loadGlobalContext(top.vars ?? [], dir, file, opts.readVarsFile, sources);
    const stages: DvcStage[] = [];
    for (const [group, def] of Object.entries(top.stages ?? {})) {
      const expanded = wrap(['stages', group], () =>
        expandStages(
          group,
          def,
          ctx,
          (varsItem, wdir) => ({
            values: readVars(varsItem, joinPath(dir, wdir), file, opts.readVarsFile),
            source: typeof varsItem === 'string' ? varsSource(joinPath(dir, wdir), varsItem) : null,
          }),
          sources,
        ),
      );
      for (const e of expanded) stages.push(toStage(e));
    }
    const resolveTop = (key: string): Value =>
      wrap([key], () => resolveDeep(top[key as keyof typeof top] ?? null, ctx));
    const resolvedTop = check(
      RawTop,
      {
        params: resolveTop('params'),
        metrics: resolveTop('metrics'),
        plots: resolveTop('plots'),
        artifacts: resolveTop('artifacts'),
      },
      [],
    );
    const names = new Set<string>();
    for (const s of stages) {
      if (names.has(s.name)) throw new DvcYamlError(`stage '${s.name}' is defined twice`, ['stages']);
      names.add(s.name);
    }
    return {
      ok: true,
      value: {
        dir,
        stages,
        params: resolvedTop.params ?? [],
        metrics: resolvedTop.metrics ?? [],
        plots: (resolvedTop.plots ?? []).map(toTopPlot),
        artifacts: resolvedTop.artifacts ?? {},
      },
    };
  } catch (e) {
    if (e instanceof DvcYamlError) return { ok: false, error: `${where(e.at)}: ${e.message}` };
    throw e;
  }
}

function wrap<T>(at: Path, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InterpolationError) throw new DvcYamlError(e.message, at);
    if (e instanceof DvcYamlError && e.at.length === 0) throw new DvcYamlError(e.message, at);
    throw e;
  }
}

function check<T>(schema: z.ZodType<T>, v: unknown, at: Path): T {
  const r = schema.safeParse(v, { reportInput: true });
  if (r.success) return r.data;
  const issue = explainIssue(r.error.issues[0]);
  const path = [...at, ...issue.path];
  const where = path.length > 0 ? `at '${path.join('.')}': ` : '';
  throw new DvcYamlError(`${where}${issue.message}`, [...at, ...issue.linePath]);
}

/** Line of the deepest node along `at` that exists in the document. */
function lineAt(doc: Document, text: string, at: Path): number {
  for (let n = at.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      // a key's line reads better than its value's, when the value is a block below it
      const keyLine = n > 0 ? keyLineAt(doc, text, at.slice(0, n)) : undefined;
      return keyLine ?? lineOf(text, node.range[0]);
    }
  }
  return 1;
}

function keyLineAt(doc: Document, text: string, at: Path): number | undefined {
  const parent = at.length === 1 ? doc.contents : doc.getIn(at.slice(0, -1), true);
  const last = at[at.length - 1];
  if (parent === null || typeof parent !== 'object' || !('items' in parent) || !Array.isArray(parent.items))
    return undefined;
  for (const item of parent.items) {
    if (typeof last === 'number') return undefined;
    if (
      item !== null &&
      typeof item === 'object' &&
      'key' in item &&
      isNode(item.key) &&
      item.key.toJSON() === last
    ) {
      const r = item.key.range;
      return r ? lineOf(text, r[0]) : undefined;
    }
  }
  return undefined;
}

function readVars(
  item: string | Record<string, Value>,
  base: string,
  file: string,
  read: ParseDvcYamlOpts['readVarsFile'],
): Context {
  if (typeof item !== 'string') return item;
  const [path = '', keysStr] = splitVarsItem(item);
  const full = joinPath(base, path);
  const text = read?.(full);
  if (text === undefined) throw new InterpolationError(`vars file '${path}' does not exist`);
  const parsed = parseParamsFile(full, text);
  if (!parsed.ok) throw new InterpolationError(`cannot read vars file: ${parsed.error}`);
  if (keysStr === undefined) return parsed.value;
  const out: Context = {};
  for (const key of keysStr
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '')) {
    const v = selectDotted(parsed.value, key);
    if (v === undefined)
      throw new InterpolationError(`could not find '${key}' in '${path}' (vars of ${file})`);
    setDotted(out, key, v);
  }
  return out;
}

/** The project-relative file a `vars` entry (`path` or `path:keys`) reads. */
function varsSource(base: string, item: string): string {
  return joinPath(base, splitVarsItem(item)[0] ?? '');
}

function splitVarsItem(item: string): [string, string | undefined] {
  const i = item.indexOf(':');
  return i < 0 ? [item, undefined] : [item.slice(0, i), item.slice(i + 1)];
}

function selectDotted(d: Record<string, Value>, key: string): Value | undefined {
  let cur: Value | undefined = d;
  for (const k of key.split('.'))
    cur = isValueRecord(cur) ? cur[k] : Array.isArray(cur) && /^\d+$/.test(k) ? cur[Number(k)] : undefined;
  return cur;
}

function setDotted(d: Record<string, Value>, key: string, v: Value): void {
  const parts = key.split('.');
  let cur = d;
  parts.slice(0, -1).forEach((k) => {
    const next = cur[k];
    const rec = isValueRecord(next) ? next : {};
    cur[k] = rec;
    cur = rec;
  });
  cur[parts[parts.length - 1] ?? key] = v;
}

function loadGlobalContext(
  vars: Array<string | Record<string, Value>>,
  dir: string,
  file: string,
  read: ParseDvcYamlOpts['readVarsFile'],
  sources: VarsSources,
): Context {
  const ctx: Context = {};
  const defaultText = read?.(joinPath(dir, 'params.yaml'));
  const imported = new Set<string>();
  if (defaultText !== undefined) {
    const parsed = parseParamsFile(joinPath(dir, 'params.yaml'), defaultText);
    if (!parsed.ok) throw new DvcYamlError(`cannot read params.yaml for interpolation: ${parsed.error}`, []);
    mergeContext(ctx, parsed.value, 'params.yaml');
    sources.add(joinPath(dir, 'params.yaml'), parsed.value);
    imported.add('params.yaml');
  }
  vars.forEach((item, i) => {
    if (hasInterpolation(item)) throw new DvcYamlError('interpolation is not allowed in vars', ['vars', i]);
    if (typeof item === 'string') {
      const [path = '', keys] = splitVarsItem(item);
      if (keys === undefined && imported.has(normalizePath(path))) return;
      if (keys === undefined) imported.add(normalizePath(path));
    }
    wrap(['vars', i], () => {
      const values = readVars(item, dir, file, read);
      mergeContext(ctx, values, typeof item === 'string' ? item : `vars[${i}]`);
      if (typeof item === 'string') sources.add(varsSource(dir, item), values);
    });
  });
  return ctx;
}

function toOuts(list: z.infer<typeof RawStage>['outs']): DvcOut[] {
  return (list ?? []).map((entry) => {
    if (typeof entry === 'string') return { path: entry, cache: true, persist: false, push: true, props: {} };
    const [path = '', flags] = Object.entries(entry)[0] ?? [];
    return outFrom(path, flags ?? {});
  });
}

function outFrom(path: string, flags: OutFlags): DvcOut {
  const { cache, persist, push, remote, ...rest } = flags;
  const props: Record<string, Value> = {};
  for (const [k, v] of Object.entries(rest)) {
    const val = toValue(v);
    if (val !== undefined) props[k] = val;
  }
  const out: DvcOut = { path, cache: cache ?? true, persist: persist ?? false, push: push ?? true, props };
  if (remote !== undefined) out.remote = remote;
  return out;
}

function toParams(list: z.infer<typeof RawStage>['params']): DvcParamsDep[] {
  // DVC's _merge_params: a file listed without keys is tracked whole, and wins over key lists
  const entries = list ?? [];
  const whole = new Set<string>();
  for (const e of entries)
    if (typeof e !== 'string')
      for (const [f, keys] of Object.entries(e)) if (keys === null || keys.length === 0) whole.add(f);
  const byFile = new Map<string, string[] | null>();
  const add = (f: string, keys: string[]): void => {
    if (whole.has(f)) byFile.set(f, null);
    else byFile.set(f, [...(byFile.get(f) ?? []), ...keys]);
  };
  for (const e of entries) {
    if (typeof e === 'string') add('params.yaml', [e]);
    else for (const [f, keys] of Object.entries(e)) add(f, keys ?? []);
  }
  return [...byFile].map(([file, keys]) => ({ file, keys }));
}

function toStage(e: ExpandedStage): DvcStage {
  const raw = check(RawStage, e.definition, e.at);
  const stage: DvcStage = {
    name: e.name,
    cmd: raw.cmd,
    wdir: raw.wdir ?? '.',
    deps: raw.deps ?? [],
    params: toParams(raw.params),
    outs: toOuts(raw.outs),
    metrics: toOuts(raw.metrics),
    plots: toOuts(raw.plots),
    frozen: raw.frozen ?? false,
    alwaysChanged: raw.always_changed ?? false,
  };
  if (raw.desc !== undefined) stage.desc = raw.desc;
  if (raw.meta !== undefined) stage.meta = raw.meta;
  if (Object.keys(e.trackedVars).length > 0) stage.trackedVars = e.trackedVars;
  return stage;
}

function toTopPlot(p: string | Record<string, Record<string, Value> | null>): DvcTopPlot {
  if (typeof p === 'string') return { id: p, props: {} };
  const [id = '', props] = Object.entries(p)[0] ?? [];
  return { id, props: props ?? {} };
}
