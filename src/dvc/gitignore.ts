import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';

function checkIgnore(root: string, path: string): Promise<'ignored' | 'not-ignored' | 'no-git'> {
  return new Promise((resolve) => {
    const child = spawn('git', ['check-ignore', '-q', '--no-index', path], { cwd: root, stdio: 'ignore' });
    child.on('error', () => resolve('no-git'));
    child.on('close', (code) => resolve(code === 0 ? 'ignored' : code === 1 ? 'not-ignored' : 'no-git'));
  });
}

/**
 * Adds `/name` to the .gitignore beside a cached output unless Git already ignores it, as DVC
 * does, so committing a run never commits its data. Outside a Git repository it does nothing.
 */
export async function ignoreOutput(root: string, absPath: string): Promise<boolean> {
  const rel = relative(root, absPath).split('\\').join('/');
  if ((await checkIgnore(root, rel)) !== 'not-ignored') return false;
  const file = join(dirname(absPath), '.gitignore');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '';
  }
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  await writeFile(file, `${text}${sep}/${basename(absPath)}\n`);
  return true;
}
