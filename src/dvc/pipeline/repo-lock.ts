import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PipelineError } from './project.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return e instanceof Error && 'code' in e && e.code === 'EPERM';
  }
}

/**
 * Runs `fn` holding the project's lock, `.dvc/tmp/lock` (the file DVC locks, holding the owner's
 * pid as DVC's writes it), so two `kiln pipeline` commands — or one and a DVC whose pid is in the
 * file — never write the same workspace, cache and dvc.lock at once. A lock left by a process that
 * is gone is taken over.
 */
export async function withRepoLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const tmp = join(resolve(root), '.dvc', 'tmp');
  if (held.has(tmp)) throw busy(process.pid, join(tmp, 'lock'));
  const file = join(tmp, 'lock');
  await mkdir(tmp, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const h = await open(file, 'wx');
      try {
        await h.writeFile(` ${process.pid}\n`);
      } finally {
        await h.close();
      }
      held.add(tmp);
      break;
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'EEXIST') || attempt > 2) throw e;
      const text = await readFile(file, 'utf8').catch(() => '');
      const pid = Number(/\d+/.exec(text)?.[0] ?? NaN);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) throw busy(pid, file);
      await rm(file, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    held.delete(tmp);
    await rm(file, { force: true });
  }
}

/** Locks this process holds, so a second run in the same process is refused too. */
const held = new Set<string>();

function busy(pid: number, file: string): PipelineError {
  return new PipelineError(
    `Unable to acquire lock: process ${pid} holds ${file}; another kiln pipeline or DVC command is running in this project`,
  );
}
