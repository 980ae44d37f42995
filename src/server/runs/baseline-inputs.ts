import path from 'node:path/posix';
import { parseDvcLock } from '../../core/dvc/dvc-lock.js';
import { parseDvcYaml } from '../../core/dvc/dvc-yaml.js';
import { collectInputs, type InputFile } from '../../core/run/inputs.js';
import { git } from '../../git/run-git.js';
import { readAt } from './repo-read.js';

/** More `.dvc` files than this are not read for the form (each is one `git show`). */
const MAX_DVC_FILES = 200;
/** The hidden part of the list stops here; a path typed by hand still works. */
const MAX_LISTED = 5000;

/** The input files of a baseline (paths relative to the project directory), for the Run form and its checks. */
export async function baselineInputs(mirror: string, sha: string, subdir: string): Promise<InputFile[]> {
  const prefix = subdir ? `${subdir.replace(/\/+$/, '')}/` : '';
  const listed = await git(['ls-tree', '-r', '-z', '--name-only', sha, '--', prefix || '.'], { cwd: mirror });
  const gitFiles = listed
    .split('\0')
    .filter((f) => f !== '' && f.startsWith(prefix))
    .map((f) => f.slice(prefix.length));
  const at = (f: string) => readAt(mirror, sha, path.join(prefix, f));
  const yamlText = await at('dvc.yaml');
  const yaml = yamlText === null ? null : parseDvcYaml(yamlText, { file: 'dvc.yaml' });
  const lockText = await at('dvc.lock');
  const lock = lockText === null ? null : parseDvcLock(lockText);
  const dvcFiles: Array<{ file: string; text: string }> = [];
  for (const file of gitFiles.filter((f) => f.endsWith('.dvc')).slice(0, MAX_DVC_FILES)) {
    const text = await at(file);
    if (text !== null) dvcFiles.push({ file, text });
  }
  return collectInputs({
    dvcYaml: yaml?.ok ? yaml.value : null,
    lock: lock?.ok ? lock.value : null,
    dvcFiles,
    gitFiles,
  });
}

/** The form's list: the pipeline's inputs, then hidden files up to a cap. */
export function formInputs(inputs: InputFile[]): InputFile[] {
  return inputs.slice(0, MAX_LISTED);
}
