import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from '../src/git/run-git.js';

/** Commits files (repository-relative path → text) on the remote's main and pushes them, as a collaborator would. */
export async function pushFiles(
  remote: string,
  files: Record<string, string>,
  message: string,
): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-push-files-'));
  try {
    await git(['clone', '--quiet', '--', remote, dir], { cwd: tmpdir() });
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    await git(['add', '--', ...Object.keys(files)], { cwd: dir });
    await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', message], {
      cwd: dir,
    });
    await git(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
