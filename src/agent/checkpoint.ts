import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobSpec } from '../contracts/agent.js';
import { parseDvcYaml } from '../core/dvc/dvc-yaml.js';
import { git } from '../git/run-git.js';

const IDENTITY = ['-c', 'user.name=Kiln', '-c', 'user.email=kiln@localhost'];

/** Where an interrupted run's checkpoint lives in the project's mirror. */
export function checkpointRef(experimentId: string): string {
  return `refs/kiln/checkpoints/${experimentId}`;
}

/** What a resumed run needs: DVC `persist: true` outputs and the DVCLive directory, repo-relative. */
async function checkpointPaths(project: string, dir: string): Promise<string[]> {
  const rel = (p: string) => path.relative(dir, path.join(project, p));
  const out = [rel('dvclive')];
  const text = await readFile(path.join(project, 'dvc.yaml'), 'utf8').catch(() => null);
  if (text !== null) {
    const d = parseDvcYaml(text, { file: 'dvc.yaml' });
    if (d.ok)
      for (const s of d.value.stages)
        for (const o of [...s.outs, ...s.metrics, ...s.plots])
          if (o.persist) out.push(rel(path.posix.join(s.wdir, o.path)));
  }
  return out.filter((p) => !p.startsWith('..') && !path.isAbsolute(p) && existsSync(path.join(dir, p)));
}

/**
 * Commits the workspace as it is — with the persist outputs and DVCLive's directory forced in,
 * ignored or not — on top of the baseline, and pushes it to the checkpoint ref.
 * Returns the commit.
 */
export async function saveCheckpoint(job: JobSpec, dir: string, project: string): Promise<string> {
  await git(['add', '-A', '--', '.', ':(exclude).venv'], { cwd: dir });
  const forced = await checkpointPaths(project, dir);
  if (forced.length) await git(['add', '-f', '--', ...forced], { cwd: dir });
  const message = `${job.name}: checkpoint\n\nSaved by Kiln when the machine was reclaimed.`;
  await git([...IDENTITY, 'commit', '--quiet', '--allow-empty', '--no-verify', '-m', message], { cwd: dir });
  const sha = (await git(['rev-parse', 'HEAD'], { cwd: dir })).trim();
  const ref = checkpointRef(job.experimentId);
  for (const url of job.pushUrls)
    await git(['push', '--quiet', '--force', url, `${sha}:${ref}`], { cwd: dir, timeoutMs: 10 * 60_000 });
  return sha;
}

/**
 * Brings a checkpoint's files into a fresh workspace of the baseline (the change set already
 * applied): every file the checkpoint changed or added, left uncommitted so the result commit
 * is still one commit on the baseline.
 */
export async function restoreCheckpoint(job: JobSpec, dir: string, sha: string): Promise<string[]> {
  await git(['fetch', '--quiet', job.cloneUrl, `${checkpointRef(job.experimentId)}`], {
    cwd: dir,
    timeoutMs: 10 * 60_000,
  });
  const changed = (
    await git(['diff', '--name-only', '--no-renames', '-z', '--diff-filter=AM', job.baseline, sha], {
      cwd: dir,
    })
  )
    .split('\0')
    .filter(Boolean);
  if (changed.length) await git(['checkout', sha, '--', ...changed], { cwd: dir });
  // Restored files stay as working-tree changes of the baseline, not staged.
  await git(['reset', '--quiet'], { cwd: dir });
  return changed;
}
