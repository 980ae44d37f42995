import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GitCredentials } from '../../contracts/api.js';
import { CiCommitBody, type CiCommitResult } from '../../contracts/ci.js';
import type { ParamOverride } from '../../contracts/experiments.js';
import { editParamsText } from '../../core/run/params-edit.js';
import { randomName } from '../../core/run/names.js';
import { singleSetArgs } from '../../core/run/sweep.js';
import { credentialEnv } from '../../git/mirror.js';
import { git, GitError } from '../../git/run-git.js';
import type { ProjectRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { ProjectService } from '../projects/project-service.js';
import type { SecretBox } from '../secrets.js';
import type { CiSettingsStore } from './ci-settings.js';
import type { CiSummaryService } from './ci-summaries.js';
import { applyInputs } from './ci-inputs.js';
import { projectAccess } from './project-access.js';
import { openPullRequest, projectForge } from './pull-request.js';
import { identity, pushHead, rebaseOnto } from './push.js';

type Body = ReturnType<typeof CiCommitBody.parse>;

/**
 * CI experiments: one commit with the params edits on top of the baseline, pushed to the
 * project's source remote (never forced), then a pull request through the forge.
 */
export class CiCommitService {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly projects: ProjectService,
    private readonly settings: CiSettingsStore,
    private readonly summaries: CiSummaryService,
    /** The stored upload for an id of this project, or null (the Run form's uploads). */
    private readonly uploadFile: (project: string, uploadId: string) => Promise<string | null>,
  ) {}

  async commit(name: string, body: Body, author: string): Promise<CiCommitResult> {
    // `-S` arguments are read here, with the same grammar as a compute run's.
    const sets = singleSetArgs(body.set);
    if (!sets.ok) throw new ApiFailure('bad_request', sets.error);
    const params = [...body.params, ...sets.value];
    const { rec, creds } = await projectAccess(this.store, this.box, name);
    const mirror = this.projects.mirrorDir(name);
    if (!existsSync(path.join(mirror, 'HEAD')))
      throw new ApiFailure('conflict', `project "${name}" has not been fetched yet; reload it first`);
    const sha = await resolve(mirror, body.rev);
    const base = body.base ?? (await defaultBranch(mirror));
    if (!(await resolve(mirror, `refs/heads/${base}`, false)))
      throw new ApiFailure('bad_request', `the repository has no branch "${base}"`);
    const branch = body.branch.kind === 'base' ? base : (body.branch.name ?? randomName());

    const work = await mkdtemp(path.join(tmpdir(), 'kiln-ci-commit-'));
    const { env, cleanup } = await credentialEnv(creds);
    try {
      await git(['clone', '--quiet', '--', mirror, work], { cwd: tmpdir() });
      await git(['checkout', '--quiet', '--detach', sha], { cwd: work });
      await git(['remote', 'add', 'source', '--', rec.source], { cwd: work });
      await applyParams(work, rec.subdir, params);
      const inputs = await applyInputs(path.join(work, rec.subdir ?? ''), body.inputs, (id) =>
        this.uploadFile(name, id),
      );
      for (const f of body.files) {
        await mkdir(path.dirname(path.join(work, f.path)), { recursive: true });
        await writeFile(path.join(work, f.path), f.content);
      }
      await git(['add', '-A'], { cwd: work });
      await git(['commit', '--quiet', '--allow-empty', '-F', '-'], {
        cwd: work,
        env: identity(author),
        input: commitMessage(body),
      });

      let rebased = false;
      if (body.branch.kind === 'new') {
        if ((await git(['ls-remote', 'source', `refs/heads/${branch}`], { cwd: work, env })).trim())
          throw new ApiFailure(
            'conflict',
            `branch "${branch}" already exists on the remote; choose another name`,
          );
        if ((await pushHead(work, branch, env)) === 'behind')
          throw new ApiFailure(
            'conflict',
            `branch "${branch}" appeared on the remote meanwhile; choose another name`,
          );
      } else {
        for (let attempt = 0; ; attempt++) {
          if ((await pushHead(work, branch, env)) === 'pushed') break;
          if (attempt >= 3)
            throw new ApiFailure('conflict', `${branch} keeps moving on the remote; try again`);
          await rebaseOnto(work, branch, env, author);
          rebased = true;
        }
      }
      const rev = (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
      const forgeKind = await this.pullRequest(rec, creds, branch, base, body);
      if (forgeKind.pullRequest.state === 'opened')
        await this.summaries.recordPullRequest(name, rev, forgeKind.pullRequest);
      await this.projects.reload(name).catch(() => undefined);
      return { project: name, rev, branch, base, rebased, inputs, ...forgeKind };
    } catch (err) {
      if (err instanceof GitError) throw new ApiFailure('git_failed', err.message, err.stderr);
      throw err;
    } finally {
      await cleanup();
      await rm(work, { recursive: true, force: true });
    }
  }

  private async pullRequest(
    rec: ProjectRecord,
    creds: GitCredentials | null,
    branch: string,
    base: string,
    body: Body,
  ): Promise<Pick<CiCommitResult, 'forge' | 'pullRequest'>> {
    if (body.branch.kind === 'base') {
      const { forge } = await projectForge(rec, creds, this.settings);
      return {
        forge,
        pullRequest: { state: 'none', reason: `committed to ${base}; no pull request needed` },
      };
    }
    return openPullRequest(rec, creds, this.settings, {
      head: branch,
      base,
      title: body.message.split('\n')[0] ?? body.message,
      body: `${body.description ?? ''}\n\nCommitted by Kiln as a CI experiment on \`${branch}\`.`.trim(),
    });
  }
}

function commitMessage(body: Body): string {
  const [subject = '', ...rest] = body.message.trim().split('\n');
  const first = body.skipStudio && !subject.includes('[skip studio]') ? `${subject} [skip studio]` : subject;
  const text = [first, ...rest].join('\n');
  return body.description?.trim() ? `${text}\n\n${body.description.trim()}\n` : `${text}\n`;
}

async function resolve(mirror: string, rev: string, required = true): Promise<string> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: mirror })).trim();
  } catch {
    if (!required) return '';
    throw new ApiFailure('not_found', `no commit, branch or tag "${rev}" in the project`);
  }
}

export async function defaultBranch(mirror: string): Promise<string> {
  const ref = (await git(['symbolic-ref', '--quiet', 'HEAD'], { cwd: mirror }).catch(() => '')).trim();
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : 'main';
}

async function applyParams(
  work: string,
  subdir: string | null,
  params: readonly ParamOverride[],
): Promise<void> {
  const byFile = new Map<string, ParamOverride[]>();
  for (const p of params) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  for (const [file, edits] of byFile) {
    const full = path.join(work, subdir ?? '', file);
    if (!existsSync(full)) throw new ApiFailure('bad_request', `the baseline has no params file ${file}`);
    const r = editParamsText(file, await readFile(full, 'utf8'), edits);
    if (!r.ok) throw new ApiFailure('bad_request', r.error);
    await writeFile(full, r.text);
  }
}
