import type { DvcFile, DvcFileOut } from './dvc-file.js';
import type { DvcLock, LockEntry } from './dvc-lock.js';
import type { DvcYaml } from './dvc-yaml-model.js';
import { joinPath } from './posix-path.js';

/** One dvc.yaml of a project with its dvc.lock, the top-level one first (as DVC collects them). */
export interface LockedPipeline {
  dvcYaml: DvcYaml;
  lock: DvcLock;
}

/** A file a dvc.lock records as a stage's out. */
export interface LockedOut {
  /** index of the dvc.yaml in the list searched */
  pipeline: number;
  entry: LockEntry;
  /** false for a `cache: false` out (metrics, plots): Git holds the file, not the DVC cache */
  cached: boolean;
}

/** The dvc.lock entry of the first stage, in DVC's order, that outputs the project-relative `file`. */
export function findLockedOut(pipelines: readonly LockedPipeline[], file: string): LockedOut | null {
  for (const [i, { dvcYaml: d, lock }] of pipelines.entries()) {
    for (const s of d.stages) {
      const at = (p: string) => joinPath(d.dir, s.wdir, p) === file;
      const entry = lock.stages.find((l) => l.name === s.name)?.outs.find((o) => at(o.path));
      if (entry === undefined) continue;
      const declared = [...s.outs, ...s.metrics, ...s.plots].find((o) => at(o.path));
      return { pipeline: i, entry, cached: declared?.cache !== false };
    }
  }
  return null;
}

/** The tracked directory (a dvc.lock out) that holds the project-relative `file`, if any. */
export function lockedDirHolding(pipelines: readonly LockedPipeline[], file: string): string | null {
  for (const { dvcYaml: d, lock } of pipelines) {
    for (const s of d.stages) {
      for (const o of lock.stages.find((l) => l.name === s.name)?.outs ?? []) {
        const dir = joinPath(d.dir, s.wdir, o.path);
        if (isDirectoryEntry(o) && file.startsWith(`${dir}/`)) return dir;
      }
    }
  }
  return null;
}

/** The out of a `.dvc` file that tracks `name`, a file in the `.dvc` file's own directory. */
export function findDvcFileOut(file: DvcFile, name: string): DvcFileOut | undefined {
  const wdir = typeof file.rest['wdir'] === 'string' ? file.rest['wdir'] : '';
  return file.outs.find((o) => joinPath(wdir, o.path) === name);
}

/** DVC marks a tracked directory by its `.dir` manifest hash (and a file count). */
export function isDirectoryEntry(entry: { md5?: string | undefined; nfiles?: number | undefined }): boolean {
  return (entry.md5 !== undefined && entry.md5.endsWith('.dir')) || entry.nfiles !== undefined;
}
