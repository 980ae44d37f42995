import { FORM_INPUTS_MAX } from '../../contracts/experiments.js';
import path from 'node:path/posix';
import { parseDvcLock, type DvcLock } from '../../core/dvc/dvc-lock.js';
import { parseDvcYaml, type DvcYaml } from '../../core/dvc/dvc-yaml.js';
import { collectInputs, type InputFile } from '../../core/run/inputs.js';
import { pipelineFilesAt } from '../../dvc/dvcignore-at.js';
import { git } from '../../git/run-git.js';
import { readAt } from '../table/git-read.js';

/** More `.dvc` files than this are not read for the form (each is one `git show`). */
const MAX_DVC_FILES = 200;
/** The hidden part of the list stops here; a path typed by hand still works. */
const MAX_LISTED = FORM_INPUTS_MAX;

/** The input files of a baseline (paths relative to the project directory), for the Run form and its checks. */
export async function baselineInputs(mirror: string, sha: string, subdir: string): Promise<InputFile[]> {
  const { prefix, gitFiles } = await listBaseline(mirror, sha, subdir);
  const at = (f: string) => readAt(mirror, sha, path.join(prefix, f));
  const pipelines = await baselinePipelines(mirror, sha, subdir, gitFiles);
  const dvcFiles: Array<{ file: string; text: string }> = [];
  for (const file of gitFiles.filter((f) => f.endsWith('.dvc')).slice(0, MAX_DVC_FILES)) {
    const text = await at(file);
    if (text !== null) dvcFiles.push({ file, text });
  }
  return collectInputs({ pipelines, dvcFiles, gitFiles });
}

/** Every dvc.yaml of a baseline that parses (no `.dvcignore` excludes it), with its dvc.lock, as DVC collects them. */
export async function baselinePipelines(
  mirror: string,
  sha: string,
  subdir: string,
  gitFiles?: readonly string[],
): Promise<Array<{ dvcYaml: DvcYaml; lock: DvcLock | null }>> {
  const listed = gitFiles ?? (await listBaseline(mirror, sha, subdir)).gitFiles;
  const prefix = subdir ? `${subdir.replace(/\/+$/, '')}/` : '';
  const out: Array<{ dvcYaml: DvcYaml; lock: DvcLock | null }> = [];
  const files = (await pipelineFilesAt(mirror, sha, subdir, listed)).slice(0, MAX_DVC_FILES);
  for (const file of files) {
    const text = await readAt(mirror, sha, path.join(prefix, file));
    const yaml = text === null ? null : parseDvcYaml(text, { file });
    if (!yaml?.ok) continue;
    const lockFile = path.join(path.dirname(file), 'dvc.lock');
    const lockText = await readAt(mirror, sha, path.join(prefix, lockFile));
    const lock = lockText === null ? null : parseDvcLock(lockText, lockFile);
    out.push({ dvcYaml: yaml.value, lock: lock?.ok ? lock.value : null });
  }
  return out;
}

/** The files of a baseline, relative to the project directory. */
async function listBaseline(mirror: string, sha: string, subdir: string) {
  const prefix = subdir ? `${subdir.replace(/\/+$/, '')}/` : '';
  const listed = await git(['ls-tree', '-r', '-z', '--name-only', sha, '--', prefix || '.'], { cwd: mirror });
  const gitFiles = listed
    .split('\0')
    .filter((f) => f !== '' && f.startsWith(prefix))
    .map((f) => f.slice(prefix.length));
  return { prefix, gitFiles };
}

/** The form's list: the pipeline's inputs, then hidden files up to a cap. */
export function formInputs(inputs: InputFile[]): InputFile[] {
  return inputs.slice(0, MAX_LISTED);
}
