import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { defaultRemote, mergeDvcConfig, parseDvcConfig, type DvcConfig } from '../../core/dvc/dvc-config.js';
import { parseDvcLock, type DvcLock } from '../../core/dvc/dvc-lock.js';
import { parseDvcYaml, type DvcStage, type DvcYaml } from '../../core/dvc/dvc-yaml.js';
import { joinPath } from '../../core/dvc/posix-path.js';
import { isDvcIgnoreFile, pipelineFilesOf, type DvcIgnoreText } from '../../core/dvc/dvcignore.js';
import { LocalStore } from '../remote/local-store.js';
import type { ObjectStore } from '../remote/object-store.js';
import { LazyS3Store } from '../remote/lazy-s3-store.js';
import type { S3StoreOptions } from '../remote/s3-store.js';

/** The one error the pipeline boundary throws: what failed, with the stage and command when known. */
export class PipelineError extends Error {
  constructor(
    message: string,
    readonly stage?: string,
    readonly cmd?: string,
  ) {
    super(message);
  }
}

/** One dvc.yaml of the project with its dvc.lock; `file` is project-relative (`dvc.yaml`, `sub/dvc.yaml`). */
export interface PipelineFile {
  file: string;
  dvcYaml: DvcYaml;
  lock: DvcLock;
  lockPath: string;
}

export interface DvcProject {
  root: string;
  /** the top-level dvc.yaml (empty when absent) */
  dvcYaml: DvcYaml;
  lock: DvcLock;
  lockPath: string;
  /** every dvc.yaml of the project, the top-level one first, as DVC collects them */
  pipelines: PipelineFile[];
  config: DvcConfig;
  cache: LocalStore;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function loadDvcProject(rootDir: string): Promise<DvcProject> {
  const root = resolve(rootDir);
  const files = await findPipelineFiles(root);
  const pipelines: PipelineFile[] = [];
  for (const file of files) pipelines.push(await loadPipelineFile(root, file));
  const top = pipelines.find((pl) => pl.file === 'dvc.yaml') ?? {
    file: 'dvc.yaml',
    dvcYaml: { dir: '', stages: [], params: [], metrics: [], plots: [], artifacts: {} },
    lock: { stages: [] },
    lockPath: join(root, 'dvc.lock'),
  };
  const config = await loadConfig(root);
  const cacheDir = config.sections['cache']?.['dir'];
  const cache = new LocalStore(
    cacheDir === undefined ? join(root, '.dvc', 'cache') : resolve(root, '.dvc', cacheDir),
    'cache',
  );
  return { root, dvcYaml: top.dvcYaml, lock: top.lock, lockPath: top.lockPath, pipelines, config, cache };
}

async function loadPipelineFile(root: string, file: string): Promise<PipelineFile> {
  const yamlText = (await readOptional(join(root, file))) ?? '';
  const dir = posix.dirname(file) === '.' ? '' : posix.dirname(file);
  const dvcYaml = parseDvcYaml(yamlText, {
    file,
    readVarsFile: (p) => {
      try {
        return readFileSync(join(root, p), 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  if (!dvcYaml.ok) throw new PipelineError(dvcYaml.error);
  const lockFile = posix.join(dir, 'dvc.lock');
  const lockPath = join(root, lockFile);
  const lockText = await readOptional(lockPath);
  const lock =
    lockText === undefined ? { ok: true as const, value: { stages: [] } } : parseDvcLock(lockText, lockFile);
  if (!lock.ok) throw new PipelineError(lock.error);
  return { file, dvcYaml: dvcYaml.value, lock: lock.value, lockPath };
}

const SKIPPED_DIRS = new Set(['.git', '.dvc', 'node_modules', '.venv', '__pycache__']);

/**
 * Every dvc.yaml under the project root that no `.dvcignore` excludes, the top-level one first:
 * Git's view of the tree when the root is in a work tree (tracked and untracked files, ignored ones
 * left out, so cached outputs are never walked), else a walk that skips hidden directories.
 */
async function findPipelineFiles(root: string): Promise<string[]> {
  let found: string[];
  try {
    const out = await new Promise<string>((res, rej) =>
      execFile(
        'git',
        [
          'ls-files',
          '-z',
          '--cached',
          '--others',
          '--exclude-standard',
          '--',
          ':(glob)**/dvc.yaml',
          ':(glob)**/.dvcignore',
        ],
        { cwd: root, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout) => (err ? rej(err) : res(stdout)),
      ),
    );
    found = [...new Set(out.split('\0').filter((f) => f !== '' && !f.startsWith('../')))];
    // a dvc.yaml deleted from the work tree but still in the index is gone for DVC too
    found = found.filter((f) => existsSync(join(root, f)));
  } catch {
    found = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const path = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory() && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.'))
          await walk(join(dir, e.name), path);
        else if (e.isFile() && (e.name === 'dvc.yaml' || e.name === '.dvcignore')) found.push(path);
      }
    };
    await walk(root, '');
  }
  const ignores: DvcIgnoreText[] = [];
  for (const f of found.filter(isDvcIgnoreFile)) {
    const text = await readOptional(join(root, f));
    if (text !== undefined) ignores.push({ path: f, text });
  }
  return pipelineFilesOf(found, ignores);
}

/** A stage of one of the project's dvc.yaml files, named as DVC names it (`sub/dvc.yaml:train` when nested). */
export interface ProjectStage {
  qualified: string;
  pipeline: PipelineFile;
  stage: DvcStage;
}

/**
 * All stages of all dvc.yaml files as one pipeline: one DvcYaml rooted at the project, each stage's
 * wdir made project-relative and its name qualified, so one DAG spans the files.
 */
export function mergedPipeline(p: DvcProject): { dvcYaml: DvcYaml; stages: Map<string, ProjectStage> } {
  const stages = new Map<string, ProjectStage>();
  const merged: DvcStage[] = [];
  for (const pl of p.pipelines) {
    for (const s of pl.dvcYaml.stages) {
      const qualified = pl.file === 'dvc.yaml' ? s.name : `${pl.file}:${s.name}`;
      const stage: DvcStage = { ...s, name: qualified, wdir: joinPath(pl.dvcYaml.dir, s.wdir) || '.' };
      stages.set(qualified, { qualified, pipeline: pl, stage: s });
      merged.push(stage);
    }
  }
  return {
    dvcYaml: { dir: '', stages: merged, params: [], metrics: [], plots: [], artifacts: {} },
    stages,
  };
}

async function loadConfig(root: string): Promise<DvcConfig> {
  const empty = { core: {}, remotes: {}, sections: {} };
  let config: DvcConfig = empty;
  for (const name of ['config', 'config.local']) {
    const text = await readOptional(join(root, '.dvc', name));
    if (text === undefined) continue;
    const parsed = parseDvcConfig(text, `.dvc/${name}`);
    if (!parsed.ok) throw new PipelineError(parsed.error);
    config = mergeDvcConfig(config, parsed.value);
  }
  return config;
}

/** The default remote as an object store; local paths are relative to the .dvc directory, as in DVC. */
export interface RemoteOpts {
  /** a remote other than the default */
  remote?: string;
  /** credentials from the project's encrypted store, over those in .dvc/config and the environment */
  s3Credentials?: S3StoreOptions['credentials'];
}

export function openDefaultRemote(p: DvcProject, opts: RemoteOpts = {}): ObjectStore {
  return openRemote(p.config, p.root, opts);
}

/** A remote of a DVC config as an object store; `root` is the project directory (holding `.dvc`). */
export function openRemote(config: DvcConfig, root: string, opts: RemoteOpts = {}): ObjectStore {
  const name = opts.remote;
  const chosen = name === undefined ? defaultRemote(config) : { name, options: config.remotes[name] };
  if (chosen?.options === undefined) {
    throw new PipelineError(
      name === undefined
        ? 'no default remote: set one with `[core] remote = NAME` in .dvc/config'
        : `no remote named '${name}'`,
    );
  }
  const url = chosen.options['url'];
  if (url === undefined) throw new PipelineError(`remote '${chosen.name}' has no url`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') {
    const path = scheme === 'file' ? decodeURIComponent(url.slice('file://'.length)) : url;
    return new LocalStore(
      resolve(dirname(join(root, '.dvc', 'config')), path),
      `remote '${chosen.name}' (${url})`,
    );
  }
  if (scheme === 's3') {
    return new LazyS3Store(url, chosen.options, opts.s3Credentials);
  }
  throw new PipelineError(
    `remote '${chosen.name}' uses ${scheme}://, which kiln pipeline does not support (local directories and s3:// only)`,
  );
}
