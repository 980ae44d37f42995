import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { serializeDvcFile, parseDvcFile } from '../core/dvc/dvc-file.js';
import { serializeDvcLock } from '../core/dvc/dvc-lock.js';
import { joinPath, normalizePath } from '../core/dvc/posix-path.js';
import { HashState } from './hash-state.js';
import { loadDvcProject, PipelineError, type DvcProject } from './pipeline/project.js';
import { addToCache, pathKind, type PathHash } from './workspace.js';

/** How a replaced input is tracked: committed by Git, or by a `.dvc` file or a dvc.lock out. */
export type ReplacedKind = 'git' | 'dvc-file' | 'dvc-lock';

/**
 * Puts an uploaded file in place of a tracked one in a DVC project, as `dvc add` / `dvc commit`
 * would: a DVC-tracked file is hashed (md5), saved in the project's cache (from where `kiln
 * pipeline push` or `dvc push` sends it to the DVC remote) and its `.dvc` or dvc.lock entry
 * updated; a Git-tracked one is only copied.
 */
export async function replaceInput(root: string, rel: string, source: string): Promise<ReplacedKind> {
  const projectRoot = resolve(root);
  const target = resolve(projectRoot, rel);
  if (!target.startsWith(projectRoot + sep)) throw new PipelineError(`input ${rel} is outside the project`);
  const relPath = normalizePath(relative(projectRoot, target).split(sep).join('/'));
  if ((await pathKind(target)) === 'dir')
    throw new PipelineError(`input ${relPath} is a directory; an upload replaces one file`);
  await mkdir(dirname(target), { recursive: true });
  // cache objects are read-only and may be linked into the workspace: never write through them
  await rm(target, { force: true });
  await copyFile(source, target);

  const dvcFile = `${target}.dvc`;
  if (existsSync(dvcFile)) {
    const p = await loadDvcProject(projectRoot);
    const text = await readFile(dvcFile, 'utf8');
    const parsed = parseDvcFile(text, `${relPath}.dvc`);
    if (!parsed.ok) throw new PipelineError(parsed.error);
    const wdir = typeof parsed.value.rest['wdir'] === 'string' ? parsed.value.rest['wdir'] : '';
    const out = parsed.value.outs.find((o) => joinPath(wdir, o.path) === basename(target));
    if (out === undefined) throw new PipelineError(`${relPath}.dvc does not track ${basename(target)}`);
    const h = await cache(p, target);
    out.md5 = h.md5;
    out.size = h.size;
    out.hash = 'md5';
    delete out.nfiles;
    await writeFile(dvcFile, serializeDvcFile(parsed.value));
    return 'dvc-file';
  }

  // a project whose pipeline cannot be read tracks nothing by dvc.lock; running it reports why
  const p = await loadDvcProject(projectRoot).catch(() => null);
  if (p === null) return 'git';
  for (const pl of p.pipelines) {
    for (const s of pl.dvcYaml.stages) {
      const locked = pl.lock.stages.find((l) => l.name === s.name);
      const entry = locked?.outs.find((o) => joinPath(pl.dvcYaml.dir, s.wdir, o.path) === relPath);
      if (locked === undefined || entry === undefined) continue;
      // the stage keeps its recorded deps, so DVC sees it up to date and keeps the replacement;
      // stages reading this file see a changed dep and run again
      const h = await cache(p, target);
      entry.md5 = h.md5;
      entry.size = h.size;
      delete entry.nfiles;
      await writeFile(pl.lockPath, serializeDvcLock(pl.lock));
      return 'dvc-lock';
    }
  }
  return 'git';
}

async function cache(p: DvcProject, file: string): Promise<PathHash> {
  const state = await HashState.open(join(p.root, '.dvc', 'tmp', 'kiln-hash-state.json'));
  try {
    const h = await addToCache(p.cache, file, state);
    if (h === undefined) throw new PipelineError(`${file} vanished while it was being hashed`);
    return h;
  } finally {
    await state.save();
  }
}
