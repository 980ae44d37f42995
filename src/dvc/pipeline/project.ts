import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defaultRemote, mergeDvcConfig, parseDvcConfig, type DvcConfig } from '../../core/dvc/dvc-config.js';
import { parseDvcLock, type DvcLock } from '../../core/dvc/dvc-lock.js';
import { parseDvcYaml, type DvcYaml } from '../../core/dvc/dvc-yaml.js';
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

export interface DvcProject {
  root: string;
  dvcYaml: DvcYaml;
  lock: DvcLock;
  lockPath: string;
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
  const yamlText = await readOptional(join(root, 'dvc.yaml'));
  const dvcYaml =
    yamlText === undefined
      ? {
          ok: true as const,
          value: { dir: '', stages: [], params: [], metrics: [], plots: [], artifacts: {} },
        }
      : parseDvcYaml(yamlText, {
          file: 'dvc.yaml',
          readVarsFile: (p) => {
            try {
              return readFileSync(join(root, p), 'utf8');
            } catch {
              return undefined;
            }
          },
        });
  if (!dvcYaml.ok) throw new PipelineError(dvcYaml.error);
  const lockPath = join(root, 'dvc.lock');
  const lockText = await readOptional(lockPath);
  const lock =
    lockText === undefined
      ? { ok: true as const, value: { stages: [] } }
      : parseDvcLock(lockText, 'dvc.lock');
  if (!lock.ok) throw new PipelineError(lock.error);
  const config = await loadConfig(root);
  const cacheDir = config.sections['cache']?.['dir'];
  const cache = new LocalStore(
    cacheDir === undefined ? join(root, '.dvc', 'cache') : resolve(root, '.dvc', cacheDir),
    'cache',
  );
  return { root, dvcYaml: dvcYaml.value, lock: lock.value, lockPath, config, cache };
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
  const name = opts.remote;
  const chosen = name === undefined ? defaultRemote(p.config) : { name, options: p.config.remotes[name] };
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
      resolve(dirname(join(p.root, '.dvc', 'config')), path),
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
