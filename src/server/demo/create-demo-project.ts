// Creates the demo project: a real Git repository holding a small DVC-style ML project whose
// pipeline runs on plain python3. Each commit that changes params carries the metrics and
// plots of a real run, so the experiments table has numbers that differ from row to row.

import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { COMMON_PY } from './python-common.js';
import { EVALUATE_PY, GENERATE_PY, TRAIN_PY } from './python-stages.js';
import {
  DATA_GITIGNORE,
  DVC_CONFIG,
  dvcConfigWithRemote,
  DVC_GITIGNORE,
  DVC_YAML,
  DVCIGNORE,
  GITIGNORE,
  PIPELINE_COMMANDS,
  REQUIREMENTS_TXT,
  renderParams,
  renderReadme,
  type DemoParams,
} from './project-files.js';

const run = promisify(execFile);

export { PIPELINE_COMMANDS, type DemoParams } from './project-files.js';

/** Names a consumer of the demo project can rely on. */
export const DEMO_BRANCH = 'main';
export const DEMO_SIDE_BRANCH = 'exp-bigger-batch';
export const DEMO_TAG = 'v1.0';

export interface CreateDemoProjectOptions {
  /** Python interpreter that runs the pipeline; default `python3`. */
  python?: string;
  /** The moment the history ends; commits are dated over the three weeks before it. */
  now?: Date;
  /**
   * A directory to keep as the project's DVC remote: the newest commit then records its
   * pipeline in dvc.lock (the data set and the model by hash) and their objects are pushed
   * there, so runs pull the data set and push what they make, as with any DVC project.
   */
  dvcRemote?: string;
}

interface Person {
  name: string;
  email: string;
}

const ADA: Person = { name: 'Ada Lovelace', email: 'ada@example.com' };
const GRACE: Person = { name: 'Grace Hopper', email: 'grace@example.com' };
const DAY_SECONDS = 24 * 60 * 60;

const INITIAL_PARAMS: DemoParams = {
  data: { n_samples: 2000, n_features: 8, seed: 7, test_size: 0.2 },
  train: { epochs: 10, lr: 0.001, l2: 0, batch_size: 32, seed: 42 },
};

/** Environment without variables that would redirect git (GIT_DIR from a hook, say) or python. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_') && !key.startsWith('PYTHON')) env[key] = value;
  }
  return env;
}

class DemoRepo {
  private readonly baseEnv = cleanEnv();
  private generatedFor: string | undefined;

  constructor(
    private readonly dir: string,
    private python: string,
    private readonly endSeconds: number,
  ) {}

  async git(args: readonly string[], who: Person = ADA, daysAgo = 0): Promise<string> {
    const date = `${Math.round(this.endSeconds - daysAgo * DAY_SECONDS)} +0000`;
    const env: NodeJS.ProcessEnv = {
      ...this.baseEnv,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_COMMITTER_DATE: date,
    };
    const fixed = ['-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', '-c', 'core.autocrlf=false'];
    try {
      const { stdout } = await run('git', [...fixed, ...args], { cwd: this.dir, env });
      return stdout;
    } catch (err) {
      throw new Error(`git ${args.join(' ')} failed in ${this.dir}: ${describe(err)}`, { cause: err });
    }
  }

  async write(path: string, text: string): Promise<void> {
    const full = join(this.dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text, 'utf8');
  }

  async writeParams(params: DemoParams): Promise<void> {
    await this.write('params.yaml', renderParams(params));
  }

  private pythonEnv(): NodeJS.ProcessEnv {
    return { ...this.baseEnv, PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0', DEMO_EPOCH_DELAY: '0' };
  }

  /**
   * The interpreter's real path: a version manager's shim (pyenv) costs a few hundred
   * milliseconds a start, and the pipeline runs about twenty times.
   */
  async resolvePython(): Promise<void> {
    try {
      const { stdout } = await run(this.python, ['-c', 'import sys; print(sys.executable)'], {
        env: this.pythonEnv(),
      });
      const path = stdout.trim();
      if (path !== '') this.python = path;
    } catch (err) {
      throw new Error(`the demo project needs ${this.python}: ${describe(err)}`, { cause: err });
    }
  }

  /**
   * Runs generate → train → evaluate for real, as dvc.yaml declares them. Like `dvc repro`,
   * it skips generate when the data params have not changed since it last ran.
   */
  async runPipeline(params: DemoParams): Promise<void> {
    const dataKey = JSON.stringify(params.data);
    for (const [, script] of PIPELINE_COMMANDS) {
      if (script === undefined) continue;
      if (script === 'data/generate.py' && this.generatedFor === dataKey) continue;
      try {
        await run(this.python, [script], { cwd: this.dir, env: this.pythonEnv() });
      } catch (err) {
        throw new Error(`demo pipeline step "${this.python} ${script}" failed: ${describe(err)}`, {
          cause: err,
        });
      }
    }
    this.generatedFor = dataKey;
  }

  /**
   * Runs the pipeline as `dvc repro` does, writing dvc.lock and caching the data set and the
   * model, then pushes them to a local DVC remote at `remote` named in .dvc/config.
   */
  async runTracked(remote: string): Promise<void> {
    await mkdir(remote, { recursive: true });
    await this.write('.dvc/config', dvcConfigWithRemote(remote));
    const { runPipeline } = await import('../../dvc/pipeline/run.js');
    const { pushPipeline } = await import('../../dvc/pipeline/sync.js');
    await runPipeline({ root: this.dir, force: true, log: () => undefined, output: () => undefined });
    await pushPipeline(this.dir);
  }

  async commit(message: string, who: Person, daysAgo: number): Promise<void> {
    await this.git(['add', '-A'], who, daysAgo);
    await this.git(['commit', '-q', '-m', message], who, daysAgo);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const stderr = (err as Error & { stderr?: unknown }).stderr;
    const detail = typeof stderr === 'string' && stderr.trim() !== '' ? `: ${stderr.trim()}` : '';
    return `${err.message.split('\n')[0] ?? ''}${detail}`;
  }
  return String(err);
}

function withTrain(base: DemoParams, train: Partial<DemoParams['train']>): DemoParams {
  return { data: { ...base.data }, train: { ...base.train, ...train } };
}

async function ensureEmptyDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new Error(`cannot create the demo project in ${dir}: the directory is not empty`);
  }
}

/**
 * Creates the demo project at `dir` (which must be missing or empty): a non-bare Git repository
 * on branch `main` with a tag `v1.0`, a side branch `exp-bigger-batch` and one `[skip studio]`
 * commit. Returns how many commits the repository holds across all refs.
 */
export async function createDemoProject(
  dir: string,
  options: CreateDemoProjectOptions = {},
): Promise<{ commits: number }> {
  await ensureEmptyDir(dir);
  const endSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const repo = new DemoRepo(dir, options.python ?? 'python3', endSeconds);

  await repo.resolvePython();
  await repo.git(['init', '-q', '-b', DEMO_BRANCH]);
  await repo.write('README.md', renderReadme(false));
  await repo.write('requirements.txt', REQUIREMENTS_TXT);
  await repo.write('.gitignore', GITIGNORE);
  await repo.write('data/.gitignore', DATA_GITIGNORE);
  await repo.write('.dvc/config', DVC_CONFIG);
  await repo.write('.dvc/.gitignore', DVC_GITIGNORE);
  await repo.write('.dvcignore', DVCIGNORE);
  await repo.write('dvc.yaml', DVC_YAML);
  await repo.write('common.py', COMMON_PY);
  await repo.write('data/generate.py', GENERATE_PY);
  await repo.write('train.py', TRAIN_PY);
  await repo.write('evaluate.py', EVALUATE_PY);

  let params = INITIAL_PARAMS;
  await repo.writeParams(params);
  await repo.runPipeline(params);
  await repo.commit('Initial commit: logistic regression on synthetic data', ADA, 20.3);

  params = withTrain(params, { lr: 0.05 });
  await repo.writeParams(params);
  await repo.runPipeline(params);
  await repo.commit('Raise learning rate to 0.05, 0.001 barely moved the loss', ADA, 17.6);

  params = withTrain(params, { epochs: 30 });
  await repo.writeParams(params);
  await repo.runPipeline(params);
  await repo.commit('Train for 30 epochs', GRACE, 14.2);

  params = withTrain(params, { l2: 0.001 });
  await repo.writeParams(params);
  await repo.runPipeline(params);
  await repo.commit('Add L2 regularization', ADA, 11.8);
  await repo.git(['tag', '-a', DEMO_TAG, '-m', 'First model worth keeping'], ADA, 11.7);

  await repo.write('README.md', renderReadme(true));
  await repo.commit('Document outputs and things to try in the README [skip studio]', GRACE, 9.4);

  await repo.git(['switch', '-q', '-c', DEMO_SIDE_BRANCH, DEMO_TAG]);
  const bigger = withTrain(params, { batch_size: 128, lr: 0.2 });
  await repo.writeParams(bigger);
  await repo.runPipeline(bigger);
  await repo.commit('Try batch size 128 with a larger learning rate', GRACE, 6.5);
  await repo.git(['switch', '-q', DEMO_BRANCH]);

  params = withTrain(params, { lr: 0.3 });
  await repo.writeParams(params);
  if (options.dvcRemote === undefined) await repo.runPipeline(params);
  else await repo.runTracked(options.dvcRemote);
  await repo.commit('Tweak lr: 0.3 converges faster', ADA, 2.9);

  const count = await repo.git(['rev-list', '--all', '--count']);
  return { commits: Number.parseInt(count.trim(), 10) };
}
