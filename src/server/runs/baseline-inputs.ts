import { FORM_INPUTS_MAX } from '../../contracts/experiments.js';
import path from 'node:path/posix';
import { collectInputs, type InputFile } from '../../core/run/inputs.js';
import { git } from '../../git/run-git.js';
import { readAt } from '../table/git-read.js';
import { MAX_DVC_FILES, pipelinesAt, type KeptPipeline } from '../table/remote-files.js';

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
): Promise<KeptPipeline[]> {
  return pipelinesAt(mirror, sha, subdir, gitFiles ?? (await listBaseline(mirror, sha, subdir)).gitFiles);
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
