import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobSpec } from '../contracts/agent.js';
import { editParamsText } from '../core/run/params-edit.js';
import { replaceInput } from '../dvc/replace-input.js';
import { git } from '../git/run-git.js';

const IDENTITY = ['-c', 'user.name=Kiln', '-c', 'user.email=kiln@localhost'];
/** The agent's git calls after a job run no hooks and no fsmonitor, whatever the job left in .git. */
const TRUSTED_GIT: Record<string, string> = {
  GIT_CONFIG_COUNT: '2',
  GIT_CONFIG_KEY_0: 'core.hooksPath',
  GIT_CONFIG_VALUE_0: '/dev/null',
  GIT_CONFIG_KEY_1: 'core.fsmonitor',
  GIT_CONFIG_VALUE_1: 'false',
};

/**
 * Keeps the clone's `.git/config` as the agent wrote it: the job (sandboxed or not) can write its
 * workspace, and a filter, hook or fsmonitor set there would run in the agent's own git calls
 * after the job, outside any sandbox. `restore` puts the config back and refuses a `.git` that
 * is no longer a plain directory (a link to another repository).
 */
export async function guardWorkspace(dir: string): Promise<{ restore: () => Promise<void> }> {
  const file = path.join(dir, '.git', 'config');
  const saved = await readFile(file, 'utf8');
  return {
    async restore() {
      const st = await lstat(path.join(dir, '.git')).catch(() => null);
      if (!st?.isDirectory())
        throw new Error("the job replaced the workspace's .git: its result is not saved");
      await rm(file, { force: true, recursive: true });
      await writeFile(file, saved);
    },
  };
}

/** A fresh clone of the baseline with the change set applied; returns the project directory. */
export async function prepareWorkspace(job: JobSpec, dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  await git(['clone', '--quiet', '--no-checkout', '--shared', '--', job.cloneUrl, dir], {
    cwd: path.dirname(dir),
    timeoutMs: 30 * 60_000,
  });
  await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', job.baseline], {
    cwd: dir,
  });
  const project = job.subdir ? path.join(dir, job.subdir) : dir;
  const files = new Map<
    string,
    Array<{ key: string; value: (typeof job.changeSet.params)[number]['value'] }>
  >();
  for (const p of job.changeSet.params)
    files.set(p.file, [...(files.get(p.file) ?? []), { key: p.key, value: p.value }]);
  for (const [file, edits] of files) {
    const full = path.resolve(project, file);
    if (!full.startsWith(dir + path.sep)) throw new Error(`params file ${file} is outside the repository`);
    const r = editParamsText(file, await readFile(full, 'utf8'), edits);
    if (!r.ok) throw new Error(r.error);
    await writeFile(full, r.text);
  }
  for (const [file, source] of Object.entries(job.uploads)) {
    const full = path.resolve(project, file);
    if (!full.startsWith(dir + path.sep)) throw new Error(`input ${file} is outside the repository`);
    await replaceInput(project, file, source, 'workspace');
  }
  return project;
}

/**
 * The result commit's message: the person's own words when they wrote some (its first line after
 * the experiment's name, the rest as the body), then where it came from.
 */
export function resultMessage(job: Pick<JobSpec, 'name' | 'baseline' | 'message'>): string {
  const from = `experiment from ${job.baseline.slice(0, 7)}`;
  const typed = (job.message ?? '').replace(/\r\n?/g, '\n').trim();
  if (typed === '') return `${job.name}: ${from}\n\nRun by Kiln.`;
  const [subject = '', ...rest] = typed.split('\n');
  const body = rest.join('\n').trim();
  return `${job.name}: ${subject.trim()}\n\n${body === '' ? '' : `${body}\n\n`}Run by Kiln, ${from}.`;
}

/** Commits what the job changed (params, metrics, plots; ignored files stay out) and pushes the experiment ref. */
export async function saveResults(
  job: JobSpec,
  dir: string,
  ref: string,
): Promise<{ sha: string; pushErrors: string[] }> {
  const env = TRUSTED_GIT;
  await git(['add', '-A', '--', '.', ':(exclude).venv'], { cwd: dir, env });
  await git([...IDENTITY, 'commit', '--quiet', '--allow-empty', '--no-verify', '-m', resultMessage(job)], {
    cwd: dir,
    env,
  });
  const sha = (await git(['rev-parse', 'HEAD'], { cwd: dir, env })).trim();
  await git(['update-ref', ref, sha], { cwd: dir, env });
  const results = await Promise.all(
    job.pushUrls.map((url) =>
      git(['push', '--quiet', '--force', url, `${sha}:${ref}`], {
        cwd: dir,
        env,
        timeoutMs: 30 * 60_000,
      }).then(
        () => null,
        (err: unknown) => `${url}: ${err instanceof Error ? err.message : String(err)}`,
      ),
    ),
  );
  return { sha, pushErrors: results.filter((e): e is string => e !== null) };
}
