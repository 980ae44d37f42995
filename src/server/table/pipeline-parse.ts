import type { Value } from '../../contracts/api.js';
import { collectTableFiles, parseDvcYaml } from '../../core/dvc/dvc-yaml.js';
import type { FileRequest } from '../../core/table/commit-files.js';

/** What one dvc.yaml asks the table to read, or why it cannot be read. */
export type Pipeline =
  | { ok: true; requests: FileRequest[]; vars: Record<string, Record<string, Value>> }
  | { ok: false; error: string };

/** A dvc.yaml of one commit: its project-relative path, and how to find that commit's blobs. */
export interface PipelineAt {
  file: string;
  /** project-relative path → blob id, in that commit */
  oidOf: (path: string) => string | undefined;
}

class NeedBlob extends Error {
  constructor(readonly oid: string) {
    super(`blob ${oid} not read yet`);
  }
}

// Templating reads vars files (params.yaml by default); a dvc.yaml without it reads none.
const TEMPLATED = /\$\{|^\s*vars\s*:/m;
const MAX_ROUNDS = 8;

/**
 * Parses the dvc.yaml files of many commits as DVC does, with `${…}` and `vars` resolved from
 * each commit's own files. A result is kept per dvc.yaml blob and the blobs of the vars files it
 * read, so commits that share all of them parse once.
 */
export class PipelineParser {
  private readonly results = new Map<string, Pipeline>();
  /** per dvc.yaml path and blob, the paths its last parse read vars from */
  private readonly readsOf = new Map<string, string[]>();

  constructor(private readonly readBlobs: (oids: string[]) => Promise<Map<string, string>>) {}

  private keyOf(at: PipelineAt, oid: string): string | null {
    const reads = this.readsOf.get(`${at.file}\0${oid}`);
    if (reads === undefined) return null;
    return [at.file, oid, ...reads.map((p) => `${p}=${at.oidOf(p) ?? '-'}`)].join('\0');
  }

  /** The parsed dvc.yaml of each entry (undefined where its own blob cannot be read). */
  async parseAll(entries: readonly PipelineAt[]): Promise<Array<Pipeline | undefined>> {
    const out: Array<Pipeline | undefined> = entries.map(() => undefined);
    const texts = new Map<string, string>();
    let pending: Array<{ at: PipelineAt; i: number; need?: string }> = entries.map((at, i) => ({ at, i }));
    for (let round = 0; pending.length > 0 && round < MAX_ROUNDS; round++) {
      const want = new Set<string>();
      const next: typeof pending = [];
      for (const p of pending) {
        const oid = p.at.oidOf(p.at.file);
        if (oid === undefined) continue;
        const key = this.keyOf(p.at, oid);
        const hit = key === null ? undefined : this.results.get(key);
        if (hit) {
          out[p.i] = hit;
          continue;
        }
        // asked for last round and still missing: the object is not in the mirror
        if (p.need !== undefined && !texts.has(p.need)) continue;
        const text = texts.get(oid);
        if (text === undefined) {
          want.add(oid);
          next.push({ ...p, need: oid });
          continue;
        }
        const reads: string[] = [];
        try {
          const r = parseDvcYaml(text, {
            file: p.at.file,
            ...(TEMPLATED.test(text)
              ? {
                  readVarsFile: (path: string) => {
                    reads.push(path);
                    const vOid = p.at.oidOf(path);
                    if (vOid === undefined) return undefined;
                    const t = texts.get(vOid);
                    if (t === undefined) throw new NeedBlob(vOid);
                    return t;
                  },
                }
              : {}),
          });
          const result: Pipeline = r.ok ? fromYaml(r.value) : { ok: false, error: r.error };
          this.readsOf.set(`${p.at.file}\0${oid}`, reads);
          this.results.set(this.keyOf(p.at, oid) ?? '', result);
          out[p.i] = result;
        } catch (e) {
          if (!(e instanceof NeedBlob)) throw e;
          want.add(e.oid);
          next.push({ ...p, need: e.oid });
        }
      }
      for (const [oid, text] of await this.readBlobs([...want])) texts.set(oid, text);
      pending = next;
    }
    if (this.results.size > 20_000) this.results.clear();
    return out;
  }
}

function fromYaml(d: Parameters<typeof collectTableFiles>[0]): Pipeline {
  const tf = collectTableFiles(d);
  return {
    ok: true,
    requests: [
      ...tf.params.map((p) => ({ file: p.file, kind: 'params' as const, keys: p.keys, listed: true })),
      ...tf.metrics.map((file) => ({ file, kind: 'metrics' as const, keys: null })),
    ],
    vars: tf.vars,
  };
}
