import { existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parseDvcFile, serializeDvcFile } from '../core/dvc/dvc-file.js';
import { serializeDvcLock } from '../core/dvc/dvc-lock.js';
import {
  findDvcFileOut,
  findLockedOut,
  isDirectoryEntry,
  lockedDirHolding,
} from '../core/dvc/input-tracking.js';
import { dirnamePath, joinPath, normalizePath } from '../core/dvc/posix-path.js';
import { git } from '../git/run-git.js';
import { hashFile, type FileHash } from './hash.js';
import { HashState } from './hash-state.js';
import { loadDvcProject, openDefaultRemote, PipelineError, type DvcProject } from './pipeline/project.js';
import { addToCache } from './workspace.js';

/**
 * Where a replaced input lands, which decides where DVC-tracked data goes:
 * - `workspace`: a checkout the run then reproduces and commits. The upload is put in place and
 *   recorded as `dvc commit` would: cached files into the project's cache (from where the outputs'
 *   push sends them to the DVC remote), `cache: false` outs only re-hashed in their dvc.lock.
 * - `commit`: a clone that is committed as it is and reproduced by CI. DVC-cached data goes
 *   straight to the project's default DVC remote and never into the tree; `cache: false` outs
 *   are Git files, replaced in the commit with their dvc.lock entries left for CI's run.
 */
export type InputDestination = 'workspace' | 'commit';

/** How a replaced input was recorded; `pushed` is false when the data did not go to the remote (or it held it already). */
export type InputChange =
  | { path: string; kind: 'git' }
  | { path: string; kind: 'dvc-file' | 'dvc-lock'; md5: string; size: number; pushed: boolean };

/** The DVC remote did not take the data (as opposed to an input the project cannot take, a plain PipelineError). */
export class RemotePushError extends PipelineError {}

/**
 * Puts an uploaded file in place of a tracked one in a DVC project (`root`: the directory
 * holding `.dvc`), as `dvc add` / `dvc commit` would: a file a `.dvc` file or any of the
 * project's dvc.lock files tracks is hashed (md5, DVC 3) and its entry rewritten; a Git-tracked
 * one is replaced. Anything else — outside the project, a directory or a file inside a tracked
 * one, an untracked path — is refused with a PipelineError naming the file and why.
 */
export async function replaceInput(
  root: string,
  rel: string,
  source: string,
  into: InputDestination,
): Promise<InputChange> {
  const projectRoot = resolve(root);
  const target = resolve(projectRoot, rel);
  if (!target.startsWith(projectRoot + sep)) throw new PipelineError(`input ${rel} is outside the project`);
  const relPath = normalizePath(relative(projectRoot, target).split(sep).join('/'));
  const st = await lstat(target).catch(() => null);
  if (st?.isDirectory()) throw dirInput(relPath);
  const put: Put = { root: projectRoot, relPath, source, target, into };

  const dvcFile = await dvcFileTracking(projectRoot, relPath);
  if (dvcFile !== null) return viaDvcFile(put, dvcFile);

  let project: DvcProject | null = null;
  let unreadable = '';
  try {
    project = await loadDvcProject(projectRoot);
  } catch (err) {
    // a pipeline that cannot be read tracks nothing by dvc.lock; a Git-tracked file is still replaced
    unreadable = err instanceof Error ? err.message : String(err);
  }
  const pipelines = project?.pipelines ?? [];
  const locked = findLockedOut(pipelines, relPath);
  if (project !== null && locked !== null) {
    if (isDirectoryEntry(locked.entry)) throw dirInput(relPath);
    // a `cache: false` out is a Git file: in a commit too it goes in the tree, its hash in dvc.lock
    const h = locked.cached ? await store(project, put, true) : await placeUncached(put);
    locked.entry.md5 = h.md5;
    locked.entry.size = h.size;
    delete locked.entry.nfiles;
    // the stage keeps its recorded deps, so DVC sees it up to date and keeps the replacement;
    // stages reading this file see a changed dep and run again
    const pl = project.pipelines[locked.pipeline];
    if (pl === undefined) throw new PipelineError(`no dvc.yaml records ${relPath}`);
    await writeFile(pl.lockPath, serializeDvcLock(pl.lock));
    return { path: relPath, kind: 'dvc-lock', ...h };
  }

  const trackedDir = lockedDirHolding(pipelines, relPath) ?? dvcFileDirHolding(projectRoot, relPath);
  if (trackedDir !== null)
    throw new PipelineError(
      `input ${relPath} is inside ${trackedDir}, a directory DVC tracks as a whole; an upload replaces one tracked file`,
    );
  if (st?.isSymbolicLink() || !(await gitTracks(projectRoot, relPath)))
    throw new PipelineError(
      unreadable === ''
        ? `"${relPath}" is neither a Git-tracked nor a DVC-tracked file of the baseline`
        : `"${relPath}" is not a Git-tracked file, and the pipeline that might track it cannot be read: ${unreadable}`,
    );
  await place(source, target);
  return { path: relPath, kind: 'git' };
}

interface Put {
  root: string;
  relPath: string;
  source: string;
  target: string;
  into: InputDestination;
}

/** An uncached out is put in place and re-hashed, wherever it lands. */
async function placeUncached(put: Put): Promise<FileHash & { pushed: boolean }> {
  await place(put.source, put.target);
  const h = await hashFile(put.target);
  return { md5: h.md5, size: h.size, pushed: false };
}

/**
 * The `.dvc` file tracking `relPath` and the out's path as written in it: `<file>.dvc` beside it,
 * else any `.dvc` file of the project whose out (from its directory and wdir) is that file, as
 * `dvc add --file other.dvc` writes one.
 */
async function dvcFileTracking(root: string, relPath: string): Promise<{ file: string; out: string } | null> {
  const beside = join(root, `${relPath}.dvc`);
  if (existsSync(beside)) return { file: beside, out: basename(relPath) };
  for (const file of await findDvcFiles(root)) {
    const rel = relative(root, file).split(sep).join('/');
    const parsed = parseDvcFile(await readFile(file, 'utf8').catch(() => ''), rel);
    if (!parsed.ok) continue;
    const wdir = typeof parsed.value.rest['wdir'] === 'string' ? parsed.value.rest['wdir'] : '';
    for (const o of parsed.value.outs)
      if (joinPath(dirnamePath(rel), wdir, o.path) === relPath) return { file, out: joinPath(wdir, o.path) };
  }
  return null;
}

async function findDvcFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== '.dvc' && e.name !== 'node_modules')
          await walk(join(dir, e.name));
      } else if (e.isFile() && e.name.endsWith('.dvc')) out.push(join(dir, e.name));
    }
  };
  await walk(root);
  return out.sort();
}

async function viaDvcFile(put: Put, tracked: { file: string; out: string }): Promise<InputChange> {
  const { relPath } = put;
  const dvcFile = tracked.file;
  const name = relative(put.root, dvcFile).split(sep).join('/');
  const parsed = parseDvcFile(await readFile(dvcFile, 'utf8'), name);
  if (!parsed.ok) throw new PipelineError(parsed.error);
  const entry = findDvcFileOut(parsed.value, tracked.out);
  if (entry === undefined) throw new PipelineError(`${name} does not track ${tracked.out}`);
  if (isDirectoryEntry(entry)) throw dirInput(relPath);
  const h = await store(await loadDvcProject(put.root), put, true);
  entry.md5 = h.md5;
  entry.size = h.size;
  entry.hash = 'md5';
  delete entry.nfiles;
  await writeFile(dvcFile, serializeDvcFile(parsed.value));
  return { path: relPath, kind: 'dvc-file', ...h };
}

/** Puts the data where the destination keeps DVC-tracked files and returns its hash. */
async function store(p: DvcProject, put: Put, cached: boolean): Promise<FileHash & { pushed: boolean }> {
  if (put.into === 'commit') return pushToRemote(p, put.source);
  await place(put.source, put.target);
  const h = cached ? await addToProjectCache(p, put.target) : await hashFile(put.target);
  return { md5: h.md5, size: h.size, pushed: false };
}

/** Replaces the file with a copy of the upload. */
async function place(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  // cache objects are read-only and may be linked into the workspace: never write through them
  await rm(target, { force: true });
  await copyFile(source, target);
}

async function addToProjectCache(p: DvcProject, file: string): Promise<FileHash> {
  const state = await HashState.open(join(p.root, '.dvc', 'tmp', 'kiln-hash-state.json'));
  try {
    const h = await addToCache(p.cache, file, state);
    if (h === undefined) throw new PipelineError(`${file} vanished while it was being hashed`);
    return h;
  } finally {
    await state.save();
  }
}

/** Uploads the file to the default DVC remote under its md5, unless the remote holds it already. */
async function pushToRemote(p: DvcProject, source: string): Promise<FileHash & { pushed: boolean }> {
  const { md5, size } = await hashFile(source);
  let remote;
  try {
    remote = openDefaultRemote(p);
  } catch (err) {
    throw new PipelineError(
      `a DVC-tracked file is replaced but the project has no usable DVC remote to push it to: ${message(err)}`,
    );
  }
  if (await remote.has(md5)) return { md5, size, pushed: false };
  try {
    await remote.upload(md5, source);
  } catch (err) {
    throw new RemotePushError(`pushing the data to ${remote.label} failed: ${message(err)}`);
  }
  return { md5, size, pushed: true };
}

/** The nearest directory above `relPath` that a `.dvc` file beside it tracks, if any. */
function dvcFileDirHolding(root: string, relPath: string): string | null {
  for (let dir = dirnamePath(relPath); dir !== ''; dir = dirnamePath(dir))
    if (existsSync(join(root, `${dir}.dvc`))) return dir;
  return null;
}

/** Whether Git tracks exactly this file (the path taken literally, not as a pattern). */
async function gitTracks(root: string, relPath: string): Promise<boolean> {
  const out = await git(['--literal-pathspecs', 'ls-files', '-z', '--', relPath], { cwd: root });
  return out.split('\0').includes(relPath);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

const dirInput = (relPath: string) =>
  new PipelineError(`input ${relPath} is a directory; an upload replaces one file`);
