import type { DvcLock } from './dvc-lock.js';
import { parseDvcFile } from './dvc-file.js';
import type { DvcYaml } from './dvc-yaml-model.js';
import { dirnamePath, joinPath } from './posix-path.js';

/** Where a file the project tracks with DVC lives in the cache/remote: an object, or a file inside a `.dir` one. */
export interface TrackedObject {
  oid: string;
  /** the file's path inside a tracked directory */
  relpath?: string;
}

export interface TrackedSources {
  dvcYaml: DvcYaml | null;
  lock: DvcLock | null;
  dvcFiles: ReadonlyArray<{ file: string; text: string }>;
}

/** The DVC object holding `file` (project-relative), from dvc.lock outs or `.dvc` files; null when DVC does not track it. */
export function findTrackedObject(file: string, src: TrackedSources): TrackedObject | null {
  const match = (outPath: string, md5: string | undefined): TrackedObject | null => {
    if (md5 === undefined) return null;
    if (file === outPath) return { oid: md5 };
    if (md5.endsWith('.dir') && file.startsWith(`${outPath}/`))
      return { oid: md5, relpath: file.slice(outPath.length + 1) };
    return null;
  };
  const d = src.dvcYaml;
  if (d !== null && src.lock !== null) {
    for (const s of d.stages) {
      const locked = src.lock.stages.find((l) => l.name === s.name);
      for (const o of locked?.outs ?? []) {
        const hit = match(joinPath(d.dir, s.wdir, o.path), o.md5);
        if (hit !== null) return hit;
      }
    }
  }
  for (const { file: dvcFile, text } of src.dvcFiles) {
    const parsed = parseDvcFile(text, dvcFile);
    if (!parsed.ok) continue;
    const wdir = typeof parsed.value.rest['wdir'] === 'string' ? parsed.value.rest['wdir'] : '';
    for (const o of parsed.value.outs) {
      const hit = match(joinPath(dirnamePath(dvcFile), wdir, o.path), o.md5);
      if (hit !== null) return hit;
    }
  }
  return null;
}
