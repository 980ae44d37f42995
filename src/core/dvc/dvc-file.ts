import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { Value } from '../../contracts/api.js';
import { emitYaml, type YamlNode } from './yaml-emit.js';
import { explainIssue, lineOfPath } from './schema-issue.js';
import { lineOf, toValue } from './value.js';

/** An out of a `.dvc` file; `path` is relative to the .dvc file's directory. */
export const DvcFileOut = z.looseObject({
  path: z.string(),
  md5: z
    .string()
    .regex(/^[0-9a-f]{32}(\.dir)?$/, 'md5 must be 32 hex digits (ending .dir for a directory)')
    .optional(),
  size: z.number().int().nonnegative().optional(),
  nfiles: z.number().int().nonnegative().optional(),
  hash: z.literal('md5').optional(),
  cache: z.boolean().optional(),
  persist: z.boolean().optional(),
  push: z.boolean().optional(),
  remote: z.string().optional(),
  desc: z.string().optional(),
  type: z.string().optional(),
});
export type DvcFileOut = z.infer<typeof DvcFileOut>;

const RawDvcFile = z.looseObject({
  outs: z
    .array(DvcFileOut, { error: "expected 'outs': a list of outputs" })
    .min(1, 'expected at least one out'),
  deps: z.array(z.looseObject({ path: z.string() })).optional(),
});

export interface DvcFile {
  outs: DvcFileOut[];
  /** every other top-level key (md5, frozen, deps, wdir, meta…) in file order */
  rest: Record<string, Value>;
  /** top-level key order as read, so a rewrite keeps it */
  order: string[];
}

export type DvcFileResult = { ok: true; value: DvcFile } | { ok: false; error: string };

export function parseDvcFile(text: string, file: string): DvcFileResult {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err !== undefined) {
    return {
      ok: false,
      error: `${file}:${err.linePos?.[0].line ?? lineOf(text, err.pos[0])}: invalid YAML: ${err.message.split('\n')[0] ?? ''}`,
    };
  }
  const js = toValue(doc.toJS());
  const raw = RawDvcFile.safeParse(js, { reportInput: true });
  if (!raw.success) {
    const issue = explainIssue(raw.error.issues[0]);
    const line = lineOfPath(doc, text, issue.linePath);
    return { ok: false, error: `${file}:${line}: at '${issue.path.join('.')}': ${issue.message}` };
  }
  const rest: Record<string, Value> = {};
  for (const [k, v] of Object.entries(raw.data)) {
    if (k === 'outs') continue;
    const val = toValue(v);
    if (val !== undefined) rest[k] = val;
  }
  return { ok: true, value: { outs: raw.data.outs, rest, order: Object.keys(raw.data) } };
}

/** Orders an out as DVC's Output.dumpd does: hash value, size, nfiles, hash name, path, flags. */
export function dvcFileOutNode(o: DvcFileOut): Record<string, YamlNode> {
  const out: Record<string, YamlNode> = {};
  const first = ['md5', 'size', 'nfiles', 'hash', 'path'];
  for (const k of first) {
    const v = toValue(o[k]);
    if (v !== undefined) out[k] = v;
  }
  for (const [k, v] of Object.entries(o)) {
    const val = toValue(v);
    if (!first.includes(k) && val !== undefined) out[k] = val;
  }
  return out;
}

export function serializeDvcFile(f: DvcFile): string {
  const node: Record<string, YamlNode> = {};
  const order = f.order.includes('outs') ? f.order : ['outs', ...f.order];
  for (const k of order) {
    if (k === 'outs') node['outs'] = f.outs.map(dvcFileOutNode);
    else {
      const v = f.rest[k];
      if (v !== undefined) node[k] = v;
    }
  }
  return emitYaml(node);
}
