import { existsSync } from 'node:fs';
import { copyFile, lstat, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReplacedInput } from '../../contracts/experiments.js';
import { parseDvcFile, serializeDvcFile } from '../../core/dvc/dvc-file.js';
import { serializeDvcLock } from '../../core/dvc/dvc-lock.js';
import { joinPath, normalizePath } from '../../core/dvc/posix-path.js';
import { hashFile } from '../../dvc/hash.js';
import { loadDvcProject, openDefaultRemote, PipelineError } from '../../dvc/pipeline/project.js';
import { git } from '../../git/run-git.js';
import { ApiFailure } from '../api-error.js';

export type InputChange =
  | { path: string; kind: 'git' }
  | { path: string; kind: 'dvc-file' | 'dvc-lock'; md5: string; size: number; pushed: boolean };

/**
 * Puts uploaded files in place of tracked ones in a CI commit's working copy: a Git-tracked
 * file is replaced in the commit; a DVC-tracked one is hashed (md5, as DVC does), pushed to the
 * project's default DVC remote and its `.dvc` or dvc.lock entry rewritten — the data itself
 * stays out of Git. `root` is the project directory in the clone (the repository or its subdir).
 */
export async function applyInputs(
  root: string,
  inputs: readonly ReplacedInput[],
  uploadFile: (uploadId: string) => string | null,
): Promise<InputChange[]> {
  const out: InputChange[] = [];
  for (const input of inputs) {
    const source = uploadFile(input.uploadId);
    if (!source) throw new ApiFailure('bad_request', `no upload "${input.uploadId}" for ${input.path}`);
    out.push(await applyOne(root, input.path, source));
  }
  return out;
}

async function applyOne(root: string, rel: string, source: string): Promise<InputChange> {
  const target = path.resolve(root, rel);
  if (!target.startsWith(path.resolve(root) + path.sep))
    throw new ApiFailure('bad_request', `input ${rel} is outside the project`);
  const relPath = normalizePath(path.relative(root, target).split(path.sep).join('/'));
  const st = await lstat(target).catch(() => null);
  if (st?.isDirectory()) throw dirInput(relPath);

  try {
    if (existsSync(`${target}.dvc`)) return await viaDvcFile(root, target, relPath, source);
    const locked = await viaDvcLock(root, relPath, source);
    if (locked) return locked;
  } catch (err) {
    if (err instanceof PipelineError) throw new ApiFailure('bad_request', err.message);
    throw err;
  }

  const tracked = (await git(['ls-files', '--', relPath], { cwd: root })).trim();
  if (!tracked || st?.isSymbolicLink())
    throw new ApiFailure(
      'bad_request',
      `"${relPath}" is neither a Git-tracked nor a DVC-tracked file of the baseline`,
    );
  await rm(target, { force: true });
  await copyFile(source, target);
  return { path: relPath, kind: 'git' };
}

async function viaDvcFile(
  root: string,
  target: string,
  relPath: string,
  source: string,
): Promise<InputChange> {
  const dvcFile = `${target}.dvc`;
  const parsed = parseDvcFile(await readFile(dvcFile, 'utf8'), `${relPath}.dvc`);
  if (!parsed.ok) throw new ApiFailure('bad_request', parsed.error);
  const wdir = typeof parsed.value.rest['wdir'] === 'string' ? parsed.value.rest['wdir'] : '';
  const entry = parsed.value.outs.find((o) => joinPath(wdir, o.path) === path.basename(target));
  if (!entry) throw new ApiFailure('bad_request', `${relPath}.dvc does not track ${path.basename(target)}`);
  if (isDir(entry)) throw dirInput(relPath);
  const h = await pushToRemote(root, source);
  entry.md5 = h.md5;
  entry.size = h.size;
  entry.hash = 'md5';
  delete entry.nfiles;
  await writeFile(dvcFile, serializeDvcFile(parsed.value));
  return { path: relPath, kind: 'dvc-file', ...h };
}

async function viaDvcLock(root: string, relPath: string, source: string): Promise<InputChange | null> {
  if (!existsSync(path.join(root, 'dvc.lock'))) return null;
  const p = await loadDvcProject(root);
  for (const s of p.dvcYaml.stages) {
    const locked = p.lock.stages.find((l) => l.name === s.name);
    const entry = locked?.outs.find((o) => joinPath(p.dvcYaml.dir, s.wdir, o.path) === relPath);
    if (!entry) continue;
    const declared = [...s.outs, ...s.metrics, ...s.plots].find(
      (o) => joinPath(p.dvcYaml.dir, s.wdir, o.path) === relPath,
    );
    // `cache: false` outs (metrics, plots) live in Git: the file changes in the commit, not on the remote.
    if (declared && !declared.cache) return null;
    if (isDir(entry)) throw dirInput(relPath);
    // The stage keeps its recorded deps, so DVC sees it up to date and keeps the replacement;
    // stages reading this file see a changed dep and run again in CI.
    const h = await pushToRemote(root, source);
    entry.md5 = h.md5;
    entry.size = h.size;
    delete entry.nfiles;
    await writeFile(p.lockPath, serializeDvcLock(p.lock));
    return { path: relPath, kind: 'dvc-lock', ...h };
  }
  return null;
}

/** Uploads the file to the default DVC remote under its md5, unless the remote holds it already. */
async function pushToRemote(
  root: string,
  source: string,
): Promise<{ md5: string; size: number; pushed: boolean }> {
  const { md5, size } = await hashFile(source);
  const p = await loadDvcProject(root);
  let remote;
  try {
    remote = openDefaultRemote(p);
  } catch (err) {
    throw new ApiFailure(
      'bad_request',
      `a DVC-tracked file is replaced but the project has no usable DVC remote to push it to: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (await remote.has(md5)) return { md5, size, pushed: false };
  try {
    await remote.upload(md5, source);
  } catch (err) {
    throw new ApiFailure(
      'git_failed',
      `pushing the data to ${remote.label} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return { md5, size, pushed: true };
}

const dirInput = (relPath: string) =>
  new ApiFailure('bad_request', `input ${relPath} is a directory; an upload replaces one file`);

/** DVC marks a tracked directory by its `.dir` manifest hash (and a file count). */
function isDir(entry: { md5?: unknown; nfiles?: unknown }): boolean {
  return (typeof entry.md5 === 'string' && entry.md5.endsWith('.dir')) || entry.nfiles !== undefined;
}
