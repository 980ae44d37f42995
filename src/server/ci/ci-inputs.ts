import type { ReplacedInput } from '../../contracts/experiments.js';
import { PipelineError } from '../../dvc/pipeline/project.js';
import { RemotePushError, replaceInput, type InputChange } from '../../dvc/replace-input.js';
import { ApiFailure } from '../api-error.js';

/**
 * Puts uploaded files in place of tracked ones in a CI commit's working copy: a Git-tracked
 * file is replaced in the commit; a DVC-tracked one (by a `.dvc` file or any dvc.lock of the
 * project) is pushed to the project's default DVC remote and its entry rewritten — the data
 * itself stays out of Git. `root` is the project directory in the clone (the repository or its subdir).
 */
export async function applyInputs(
  root: string,
  inputs: readonly ReplacedInput[],
  uploadFile: (uploadId: string) => Promise<string | null>,
): Promise<InputChange[]> {
  const out: InputChange[] = [];
  for (const input of inputs) {
    const source = await uploadFile(input.uploadId);
    if (!source) throw new ApiFailure('bad_request', `no upload "${input.uploadId}" for ${input.path}`);
    try {
      out.push(await replaceInput(root, input.path, source, 'commit'));
    } catch (err) {
      if (err instanceof RemotePushError) throw new ApiFailure('git_failed', err.message);
      if (err instanceof PipelineError) throw new ApiFailure('bad_request', err.message);
      throw err;
    }
  }
  return out;
}
