import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Value } from '../../contracts/api.js';
import type { PlotRow } from '../../contracts/live.js';
import { parseDvcYaml, type DvcYaml } from '../../core/dvc/dvc-yaml.js';
import { collectPlotDefinitions, isDataPath, isImagePath } from '../../core/live/plot-defs.js';
import { parsePlotFile } from '../../core/live/plot-file.js';

/** A file of the workspace as last read: identity to notice rewrites, and its parsed content. */
export interface FileState {
  size: number;
  mtimeMs: number;
}

/** Workspace-relative files under `dir` (posix separators), skipping `.git`, `.dvc` and caches. */
export async function listFiles(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name === '.git' || e.name === '.dvc' || e.name === 'node_modules') continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  await walk(dir);
  return out;
}

export async function fileState(file: string): Promise<FileState | null> {
  const st = await stat(file).catch(() => null);
  return st ? { size: st.size, mtimeMs: st.mtimeMs } : null;
}

export async function readText(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch(() => null);
}

/** A JSON or YAML object file (metrics, params); null while missing or half-written. */
export async function readObject(file: string): Promise<Record<string, Value> | null> {
  const text = await readText(file);
  if (text === null) return null;
  try {
    const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    const v = Value.safeParse(doc);
    return v.success && v.data !== null && typeof v.data === 'object' && !Array.isArray(v.data)
      ? v.data
      : null;
  } catch {
    return null;
  }
}

/** Rows of a step-keyed plot file; null when it has no `step` column (those come with the commit). */
export async function readStepRows(file: string): Promise<PlotRow[] | null> {
  const text = await readText(file);
  if (text === null) return null;
  // A line still being written has no newline yet: leave it for the next scan.
  const complete =
    file.endsWith('.tsv') || file.endsWith('.csv') ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
  const parsed = parsePlotFile(file, complete);
  if (!parsed.ok) return null;
  return parsed.rows.every((r) => typeof r.step === 'number') ? parsed.rows : null;
}

/** DVCLive's own plot files among `files` (workspace-relative, as {@link listFiles} gives them). */
export function dvclivePlots(files: readonly string[], dvcliveDir: string): string[] {
  return files.filter((f) => f.startsWith(`${dvcliveDir}/plots/`) && (isDataPath(f) || isImagePath(f)));
}

/** The metrics and plot files to follow: DVCLive's own, and those the workspace's dvc.yaml files name. */
export async function watchedFiles(
  root: string,
  dvcliveDir: string,
): Promise<{ metrics: string[]; plots: string[] }> {
  const live = await listFiles(root, dvcliveDir);
  const metrics = new Set<string>([`${dvcliveDir}/metrics.json`]);
  const plots = new Set<string>(dvclivePlots(live, dvcliveDir));
  const yamls: DvcYaml[] = [];
  for (const f of ['dvc.yaml', `${dvcliveDir}/dvc.yaml`]) {
    const text = await readText(path.join(root, f));
    if (text === null) continue;
    const parsed = parseDvcYaml(text, { file: f });
    if (parsed.ok) yamls.push(parsed.value);
  }
  const join = (dir: string, p: string) => path.posix.normalize(path.posix.join(dir || '.', p));
  for (const y of yamls) {
    for (const m of y.metrics) metrics.add(join(y.dir, m));
    for (const st of y.stages) for (const m of st.metrics) metrics.add(join(join(y.dir, st.wdir), m.path));
  }
  if (yamls.length > 0) {
    const tree = [...new Set([...live, ...(await listFiles(root, ''))])];
    for (const d of collectPlotDefinitions(yamls, tree)) for (const f of d.files) plots.add(f);
  }
  return { metrics: [...metrics], plots: [...plots] };
}
