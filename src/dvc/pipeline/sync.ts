import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseDvcFile } from '../../core/dvc/dvc-file.js';
import { joinPath } from '../../core/dvc/posix-path.js';
import { WorkTreeDvcIgnore } from '../dvcignore-at.js';
import { HashState } from '../hash-state.js';
import { fetch, push, type TransferOptions, type TransferResult } from '../remote/transfer.js';
import { checkout, hashPath } from '../workspace.js';
import {
  loadDvcProject,
  openDefaultRemote,
  PipelineError,
  type DvcProject,
  type RemoteOpts,
} from './project.js';
import { withRepoLock } from './repo-lock.js';
import { allOuts } from './stage-lock.js';

/** A cached path the project tracks: a stage out recorded in dvc.lock or an out of a `.dvc` file. */
export interface TrackedOut {
  /** repo-relative */
  path: string;
  md5: string;
  /** bytes, as recorded (a directory's: its files'), when recorded */
  size?: number;
  push: boolean;
}

async function findDvcFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== '.dvc' && e.name !== 'node_modules')
          await walk(join(dir, e.name));
      } else if (e.isFile() && e.name.endsWith('.dvc')) out.push(join(dir, e.name));
    }
  };
  await walk(root);
  return out.sort();
}

export async function trackedOuts(p: DvcProject): Promise<TrackedOut[]> {
  const out: TrackedOut[] = [];
  for (const { dvcYaml: d, lock } of p.pipelines) {
    for (const s of d.stages) {
      const locked = lock.stages.find((l) => l.name === s.name);
      if (locked === undefined) continue;
      for (const o of allOuts(s)) {
        const rec = locked.outs.find((e) => e.path === o.path);
        if (o.cache && rec?.md5 !== undefined)
          out.push({
            path: joinPath(d.dir, s.wdir, o.path),
            md5: rec.md5,
            ...(rec.size === undefined ? {} : { size: rec.size }),
            push: o.push,
          });
      }
    }
  }
  for (const file of await findDvcFiles(p.root)) {
    const rel = relative(p.root, file).split('\\').join('/');
    const parsed = parseDvcFile(await readFile(file, 'utf8'), rel);
    if (!parsed.ok) throw new PipelineError(parsed.error);
    const wdir = typeof parsed.value.rest['wdir'] === 'string' ? parsed.value.rest['wdir'] : '.';
    for (const o of parsed.value.outs) {
      if (o.md5 !== undefined && o.cache !== false)
        out.push({
          path: joinPath(relative(p.root, dirname(file)), wdir, o.path),
          md5: o.md5,
          ...(o.size === undefined ? {} : { size: o.size }),
          push: o.push !== false,
        });
    }
  }
  return out;
}

export interface SyncReport extends TransferResult {
  checkedOut: string[];
}

export interface SyncOpts extends RemoteOpts {
  /** objects and bytes moved so far, as the transfer goes (not throttled) */
  onProgress?: TransferOptions['onProgress'];
}

/** Fetches every tracked out from the default remote into the cache and checks out what differs. */
export function pullPipeline(root: string, opts: SyncOpts = {}): Promise<SyncReport> {
  return withRepoLock(root, () => pullLocked(root, opts));
}

async function pullLocked(root: string, opts: SyncOpts): Promise<SyncReport> {
  const p = await loadDvcProject(root);
  const remote = openDefaultRemote(p, opts);
  const outs = await trackedOuts(p);
  const sizes = new Map<string, number>();
  for (const o of outs) if (o.size !== undefined) sizes.set(o.md5, o.size);
  const res = await fetch(remote, p.cache, [...new Set(outs.map((o) => o.md5))], {
    sizes,
    onProgress: opts.onProgress,
  });
  const state = await HashState.open(join(p.root, '.dvc', 'tmp', 'kiln-hash-state.json'));
  const ignore = new WorkTreeDvcIgnore(p.root);
  const checkedOut: string[] = [];
  try {
    for (const o of outs) {
      const abs = join(p.root, o.path);
      if ((await hashPath(abs, state, ignore))?.md5 === o.md5) continue;
      if (!(await p.cache.has(o.md5))) continue;
      await checkout(p.cache, o.md5, abs, ignore);
      checkedOut.push(o.path);
    }
  } finally {
    await state.save();
  }
  if (res.missing.length > 0) {
    throw new PipelineError(
      `${res.missing.length} object(s) are missing from ${remote.label}: ${res.missing.slice(0, 5).join(', ')}`,
    );
  }
  return { ...res, checkedOut };
}

/** Pushes every tracked out (except `push: false` ones) from the cache to the default remote. */
export function pushPipeline(root: string, opts: SyncOpts = {}): Promise<SyncReport> {
  return withRepoLock(root, () => pushLocked(root, opts));
}

async function pushLocked(root: string, opts: SyncOpts): Promise<SyncReport> {
  const p = await loadDvcProject(root);
  const remote = openDefaultRemote(p, opts);
  const outs = (await trackedOuts(p)).filter((o) => o.push);
  const res = await push(p.cache, remote, [...new Set(outs.map((o) => o.md5))], {
    onProgress: opts.onProgress,
  });
  if (res.missing.length > 0) {
    throw new PipelineError(
      `${res.missing.length} object(s) are not in the cache, run the pipeline first: ${res.missing.slice(0, 5).join(', ')}`,
    );
  }
  return { ...res, checkedOut: [] };
}
