import { parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { emitYaml, PyFloat, type YamlNode } from './yaml-emit.js';
import { explainIssue, lineOfPath } from './schema-issue.js';
import { lineOf, toValue } from './value.js';

/** One dep or out in dvc.lock, with the fields DVC writes, in DVC's order. */
export const LockEntry = z.looseObject({
  path: z.string(),
  hash: z.literal('md5').optional(),
  md5: z
    .string()
    .regex(/^[0-9a-f]{32}(\.dir)?$/, 'md5 must be 32 hex digits (ending .dir for a directory)')
    .optional(),
  size: z.number().int().nonnegative().optional(),
  nfiles: z.number().int().nonnegative().optional(),
});
export type LockEntry = z.infer<typeof LockEntry>;

/** Params values by file, then by dotted key. Integral floats (`1.0`) are kept as PyFloat. */
export type LockParams = Record<string, Record<string, LockValue>>;
export type LockValue = YamlNode;

export interface LockStage {
  name: string;
  cmd: string | string[];
  deps: LockEntry[];
  params: LockParams;
  outs: LockEntry[];
}

export interface DvcLock {
  stages: LockStage[];
}

const RawLockStage = z.looseObject({
  cmd: z.union([z.string(), z.array(z.string())], {
    error: 'expected a command: a string or a list of strings',
  }),
  deps: z.array(LockEntry).optional(),
  params: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).optional(),
  outs: z.array(LockEntry).optional(),
});

const RawLock = z.object({
  schema: z.literal('2.0', { error: "expected schema: '2.0'" }),
  stages: z.record(z.string(), RawLockStage).nullable().optional(),
});

export type DvcLockResult = { ok: true; value: DvcLock } | { ok: false; error: string };

export function parseDvcLock(text: string, file = 'dvc.lock'): DvcLockResult {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err !== undefined) {
    return {
      ok: false,
      error: `${file}:${err.linePos?.[0].line ?? lineOf(text, err.pos[0])}: invalid YAML: ${err.message.split('\n')[0] ?? ''}`,
    };
  }
  // integral floats written as "1.0" must come back as written
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'number' && Number.isInteger(node.value) && /[.eE]/.test(node.source ?? '')) {
        node.value = new PyFloat(node.value);
      }
    },
  });
  const raw = RawLock.safeParse(doc.toJS({ mapAsMap: false }), { reportInput: true });
  if (!raw.success) {
    const issue = explainIssue(raw.error.issues[0]);
    const line = lineOfPath(doc, text, issue.linePath);
    return { ok: false, error: `${file}:${line}: at '${issue.path.join('.')}': ${issue.message}` };
  }
  const stages: LockStage[] = Object.entries(raw.data.stages ?? {}).map(([name, s]) => ({
    name,
    cmd: s.cmd,
    deps: s.deps ?? [],
    params: toLockParams(s.params ?? {}),
    outs: s.outs ?? [],
  }));
  return { ok: true, value: { stages } };
}

export function toLockValue(x: unknown): LockValue {
  if (x instanceof PyFloat) return x;
  if (Array.isArray(x)) return x.map(toLockValue);
  if (typeof x === 'object' && x !== null && !(x instanceof Date)) {
    const out: Record<string, LockValue> = {};
    for (const [k, v] of Object.entries(x)) out[k] = toLockValue(v);
    return out;
  }
  return toValue(x) ?? null;
}

function toLockParams(p: Record<string, Record<string, unknown> | null>): LockParams {
  const out: LockParams = {};
  for (const [file, kv] of Object.entries(p)) {
    const values: Record<string, LockValue> = {};
    for (const [k, v] of Object.entries(kv ?? {})) values[k] = toLockValue(v);
    out[file] = values;
  }
  return out;
}

/** Orders a dep/out entry as DVC's lockfile writer does: path, hash, md5, size, nfiles, rest. */
function entryNode(e: LockEntry): Record<string, YamlNode> {
  const out: Record<string, YamlNode> = { path: e.path };
  if (e.hash !== undefined) out['hash'] = e.hash;
  for (const [k, v] of Object.entries(e)) {
    if (k === 'path' || k === 'hash') continue;
    const val = toLockValue(v);
    out[k] = val;
  }
  return out;
}

/** Params as DVC writes them: params.yaml first, other files sorted, keys sorted. */
export function sortLockParams(p: LockParams): LockParams {
  const files = Object.keys(p).sort(pyCompare);
  const ordered = [...files.filter((f) => f === 'params.yaml'), ...files.filter((f) => f !== 'params.yaml')];
  const out: LockParams = {};
  for (const f of ordered) {
    const kv = p[f] ?? {};
    const sorted: Record<string, LockValue> = {};
    for (const k of Object.keys(kv).sort(pyCompare)) sorted[k] = kv[k] ?? null;
    out[f] = sorted;
  }
  return out;
}

/** Python's default string ordering (by code point). */
export function pyCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** One stage's dvc.lock entry as DVC writes it: deps and outs sorted by path. */
export function lockStageNode(s: LockStage): Record<string, YamlNode> {
  const node: Record<string, YamlNode> = { cmd: s.cmd };
  const byPath = (a: LockEntry, b: LockEntry): number => pyCompare(a.path, b.path);
  if (s.deps.length > 0) node['deps'] = [...s.deps].sort(byPath).map(entryNode);
  const params = sortLockParams(s.params);
  if (Object.keys(params).length > 0) node['params'] = params;
  if (s.outs.length > 0) node['outs'] = [...s.outs].sort(byPath).map(entryNode);
  return node;
}

export function serializeDvcLock(lock: DvcLock): string {
  const stages: Record<string, YamlNode> = {};
  for (const s of lock.stages) stages[s.name] = lockStageNode(s);
  return emitYaml({ schema: '2.0', stages });
}

/** Replaces or appends a stage, keeping the order of the others (as DVC's Lockfile.dump does). */
export function upsertLockStage(lock: DvcLock, stage: LockStage): DvcLock {
  const i = lock.stages.findIndex((s) => s.name === stage.name);
  const stages = [...lock.stages];
  if (i < 0) stages.push(stage);
  else stages[i] = stage;
  return { stages };
}

function isMapNode(x: LockValue | undefined): x is { [key: string]: LockValue } {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof PyFloat);
}

/** Equality as Python's `==` sees params values (1 == 1.0). */
export function lockValueEquals(a: LockValue | undefined, b: LockValue | undefined): boolean {
  const x = a instanceof PyFloat ? a.value : a;
  const y = b instanceof PyFloat ? b.value : b;
  if (Array.isArray(x) || Array.isArray(y)) {
    return (
      Array.isArray(x) &&
      Array.isArray(y) &&
      x.length === y.length &&
      x.every((v, i) => lockValueEquals(v, y[i]))
    );
  }
  if (isMapNode(x) || isMapNode(y)) {
    if (!isMapNode(x) || !isMapNode(y)) return false;
    const xk = Object.keys(x);
    return xk.length === Object.keys(y).length && xk.every((k) => k in y && lockValueEquals(x[k], y[k]));
  }
  return x === y;
}
