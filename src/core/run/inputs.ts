import type { DvcLock } from '../dvc/dvc-lock.js';
import { parseDvcFile } from '../dvc/dvc-file.js';
import type { DvcYaml } from '../dvc/dvc-yaml-model.js';
import { dirnamePath, joinPath } from '../dvc/posix-path.js';

/** A file of the baseline the Run form offers to replace; paths are relative to the project. */
export interface InputFile {
  path: string;
  /** `dvc`: hashed into the DVC cache and remote when replaced; `git`: committed with the experiment */
  kind: 'dvc' | 'git';
  /** not one of the pipeline's inputs: listed only under "show all" */
  hidden: boolean;
}

export interface InputSources {
  /** every dvc.yaml of the baseline with its dvc.lock (null when absent) */
  pipelines: ReadonlyArray<{ dvcYaml: DvcYaml; lock: DvcLock | null }>;
  /** the `.dvc` files of the baseline with their text */
  dvcFiles: ReadonlyArray<{ file: string; text: string }>;
  /** every Git-tracked file of the baseline */
  gitFiles: readonly string[];
}

const CODE =
  /\.(py|pyx|ipynb|sh|bash|zsh|r|jl|js|mjs|cjs|ts|go|rs|java|scala|kt|c|cc|cpp|h|hpp|rb|pl|lua|m|swift)$/i;

/**
 * The single files a DVC project tracks (directories cannot be replaced by one upload): outs of
 * `.dvc` files and file outs recorded in dvc.lock.
 */
export function collectDvcTrackedFiles(src: Omit<InputSources, 'gitFiles'>): Set<string> {
  const out = new Set<string>();
  for (const { file, text } of src.dvcFiles) {
    const parsed = parseDvcFile(text, file);
    if (!parsed.ok) continue;
    const wdir = typeof parsed.value.rest['wdir'] === 'string' ? parsed.value.rest['wdir'] : '';
    for (const o of parsed.value.outs)
      if (o.md5 !== undefined && !o.md5.endsWith('.dir')) out.add(joinPath(dirnamePath(file), wdir, o.path));
  }
  for (const { dvcYaml: d, lock } of src.pipelines) {
    for (const s of d.stages) {
      const locked = lock?.stages.find((l) => l.name === s.name);
      for (const o of locked?.outs ?? [])
        if (o.md5 !== undefined && !o.md5.endsWith('.dir')) out.add(joinPath(d.dir, s.wdir, o.path));
    }
  }
  return out;
}

/**
 * The Run form's input files: the pipeline's inputs first (non-code stage deps that are files,
 * `.dvc`-tracked files, dvc.lock outs another stage reads), then every other tracked file hidden.
 */
export function collectInputs(src: InputSources): InputFile[] {
  const dvc = collectDvcTrackedFiles(src);
  const git = new Set(src.gitFiles);
  const shown = new Set<string>();
  for (const { file, text } of src.dvcFiles) {
    const parsed = parseDvcFile(text, file);
    if (!parsed.ok) continue;
    const wdir = typeof parsed.value.rest['wdir'] === 'string' ? parsed.value.rest['wdir'] : '';
    for (const o of parsed.value.outs) {
      const p = joinPath(dirnamePath(file), wdir, o.path);
      if (dvc.has(p)) shown.add(p);
    }
  }
  for (const { dvcYaml: d } of src.pipelines) {
    for (const s of d.stages) {
      for (const dep of s.deps) {
        const p = joinPath(d.dir, s.wdir, dep);
        if (!CODE.test(p) && (dvc.has(p) || git.has(p))) shown.add(p);
      }
    }
  }
  const kind = (p: string): InputFile['kind'] => (dvc.has(p) ? 'dvc' : 'git');
  const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
  return [
    ...sorted(shown).map((path) => ({ path, kind: kind(path), hidden: false })),
    ...sorted(new Set([...dvc, ...git])).flatMap((path) =>
      shown.has(path) || path.endsWith('.dvc') ? [] : [{ path, kind: kind(path), hidden: true }],
    ),
  ];
}
