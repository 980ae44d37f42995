import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lockValueEquals, type LockEntry, type LockParams, type LockStage } from '../../core/dvc/dvc-lock.js';
import type { DvcOut, DvcStage, DvcYaml } from '../../core/dvc/dvc-yaml.js';
import { parseParamsForLock, selectParams } from '../../core/dvc/params-lock.js';
import type { HashState } from '../hash-state.js';
import type { LocalStore } from '../remote/local-store.js';
import { addToCache, hashPath, type DirIgnore, type PathHash } from '../workspace.js';
import { PipelineError } from './project.js';

export function stageDir(root: string, d: DvcYaml, s: DvcStage): string {
  return join(root, d.dir, s.wdir);
}

export function allOuts(s: DvcStage): DvcOut[] {
  return [...s.outs, ...s.metrics, ...s.plots];
}

function entry(path: string, h: PathHash): LockEntry {
  const e: LockEntry = { path, hash: 'md5', md5: h.md5, size: h.size };
  if (h.nfiles !== undefined) e.nfiles = h.nfiles;
  return e;
}

export async function stageParams(root: string, d: DvcYaml, s: DvcStage): Promise<LockParams> {
  const out: LockParams = {};
  for (const p of s.params) {
    const full = join(stageDir(root, d, s), p.file);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch {
      throw new PipelineError(
        `stage '${s.name}' reads params from '${p.file}', which does not exist`,
        s.name,
      );
    }
    const parsed = parseParamsForLock(p.file, text);
    if (!parsed.ok) throw new PipelineError(parsed.error, s.name);
    const selected = selectParams(p.file, parsed.value, p.keys);
    if (!selected.ok) throw new PipelineError(`stage '${s.name}': ${selected.error}`, s.name);
    out[p.file] = selected.value;
  }
  return out;
}

export async function stageDeps(
  root: string,
  d: DvcYaml,
  s: DvcStage,
  state: HashState,
  ignore: DirIgnore,
): Promise<LockEntry[]> {
  const dir = stageDir(root, d, s);
  return Promise.all(
    s.deps.map(async (dep) => {
      const h = await hashPath(join(dir, dep), state, ignore);
      if (h === undefined)
        throw new PipelineError(`stage '${s.name}' depends on '${dep}', which does not exist`, s.name);
      return entry(dep, h);
    }),
  );
}

/**
 * Hashes outs, a directory less what the project's `.dvcignore` leaves out; those with `cache:
 * true` are saved into the cache on the way (when a cache is given).
 */
export async function stageOuts(
  root: string,
  d: DvcYaml,
  s: DvcStage,
  state: HashState,
  ignore: DirIgnore,
  cache?: LocalStore,
): Promise<Array<LockEntry | undefined>> {
  const dir = stageDir(root, d, s);
  return Promise.all(
    allOuts(s).map(async (o) => {
      const p = join(dir, o.path);
      const h =
        o.cache && cache !== undefined
          ? await addToCache(cache, p, state, ignore)
          : await hashPath(p, state, ignore);
      return h === undefined ? undefined : entry(o.path, h);
    }),
  );
}

/** Why a stage must run, or null when its cmd, deps, params and outs match its dvc.lock entry. */
export async function whyChanged(
  root: string,
  d: DvcYaml,
  s: DvcStage,
  locked: LockStage | undefined,
  state: HashState,
  ignore: DirIgnore,
): Promise<string | null> {
  if (locked === undefined) return 'not in dvc.lock';
  if (s.alwaysChanged) return 'always_changed';
  if (JSON.stringify(locked.cmd) !== JSON.stringify(s.cmd)) return 'its command changed';
  const sameEntries = async (
    current: Array<LockEntry | undefined>,
    recorded: LockEntry[],
    what: string,
  ): Promise<string | null> => {
    if (current.length !== recorded.length) return `its ${what} list changed`;
    for (const c of current) {
      if (c === undefined) return `an ${what.slice(0, -1)} is missing`;
      const r = recorded.find((x) => x.path === c.path);
      if (r === undefined) return `${what.slice(0, -1)} '${c.path}' is new`;
      if (r.md5 !== c.md5) return `${what.slice(0, -1)} '${c.path}' changed`;
    }
    return null;
  };
  let currentDeps: LockEntry[];
  try {
    currentDeps = await stageDeps(root, d, s, state, ignore);
  } catch (e) {
    if (e instanceof PipelineError) return e.message;
    throw e;
  }
  const deps = await sameEntries(currentDeps, locked.deps, 'deps');
  if (deps !== null) return deps;
  const params = await stageParams(root, d, s);
  const files = Object.keys(params);
  if (files.length !== Object.keys(locked.params).length) return 'its params files changed';
  for (const f of files) {
    const cur = params[f] ?? {};
    const rec = locked.params[f];
    if (rec === undefined) return `params file '${f}' is new`;
    const keys = Object.keys(cur);
    if (keys.length !== Object.keys(rec).length) return `params of '${f}' changed`;
    for (const k of keys) if (!lockValueEquals(cur[k], rec[k])) return `param '${k}' of '${f}' changed`;
  }
  const outs = await stageOuts(root, d, s, state, ignore);
  return sameEntries(outs, locked.outs, 'outs');
}
