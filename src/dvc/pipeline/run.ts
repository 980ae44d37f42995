import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDag, downstreamOf, selectStages } from '../../core/dvc/dag.js';
import { serializeDvcLock, upsertLockStage, type DvcLock, type LockEntry } from '../../core/dvc/dvc-lock.js';
import type { DvcStage, DvcYaml } from '../../core/dvc/dvc-yaml.js';
import { WorkTreeDvcIgnore } from '../dvcignore-at.js';
import { ignoreOutput } from '../gitignore.js';
import { HashState } from '../hash-state.js';
import {
  loadDvcProject,
  mergedPipeline,
  PipelineError,
  type DvcProject,
  type ProjectStage,
} from './project.js';
import { withRepoLock } from './repo-lock.js';
import { allOuts, stageDeps, stageDir, stageOuts, stageParams, whyChanged } from './stage-lock.js';

export interface RunPipelineOpts {
  root: string;
  /** stage names (or foreach group names); their upstream stages run too */
  targets?: string[];
  force?: boolean;
  /** report what would run without running it */
  dry?: boolean;
  /** progress lines; defaults to stderr */
  log?: (line: string) => void;
  /** where commands' output goes: inherited by default, or passed to this callback */
  output?: (chunk: string) => void;
}

export interface RunReport {
  ran: string[];
  skipped: string[];
}

/** Runs the pipeline holding the project's lock (`.dvc/tmp/lock`), so two runs never overlap. */
export function runPipeline(opts: RunPipelineOpts): Promise<RunReport> {
  return withRepoLock(opts.root, () => runLocked(opts));
}

async function runLocked(opts: RunPipelineOpts): Promise<RunReport> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const p = await loadDvcProject(opts.root);
  const { dvcYaml: merged, stages } = mergedPipeline(p);
  const dag = buildDag(merged);
  if (!dag.ok) throw new PipelineError(dag.error);
  const selected = selectStages(dag.value, opts.targets ?? []);
  if (!selected.ok) throw new PipelineError(selected.error);
  const state = await HashState.open(join(p.root, '.dvc', 'tmp', 'kiln-hash-state.json'));
  const ignore = new WorkTreeDvcIgnore(p.root);
  const report: RunReport = { ran: [], skipped: [] };
  // the current dvc.lock of each dvc.yaml, rewritten after each stage that runs
  const locks = new Map(p.pipelines.map((pl) => [pl, pl.lock]));
  const wouldRun = new Set<string>();
  try {
    for (const s of selected.value) {
      await refuseIgnoredOuts(p.root, merged, s, ignore);
      if (s.frozen) {
        log(`Stage '${s.name}' is frozen, skipping`);
        report.skipped.push(s.name);
        continue;
      }
      const origin = stages.get(s.name);
      if (origin === undefined) throw new PipelineError(`stage '${s.name}' has no dvc.yaml`);
      const locked = locks.get(origin.pipeline)?.stages.find((l) => l.name === origin.stage.name);
      const upstreamWillRun = opts.dry === true && downstreamOf(dag.value, [...wouldRun]).has(s.name);
      const reason =
        opts.force === true
          ? 'forced'
          : upstreamWillRun
            ? 'an upstream stage would run'
            : await whyChanged(p.root, merged, s, locked, state, ignore);
      if (reason === null) {
        log(`Stage '${s.name}' didn't change, skipping`);
        report.skipped.push(s.name);
        continue;
      }
      if (opts.dry === true) {
        log(`Would run stage '${s.name}' (${reason}): ${cmdText(s)}`);
        wouldRun.add(s.name);
        report.ran.push(s.name);
        continue;
      }
      log(`Running stage '${s.name}' (${reason}):`);
      const before = locks.get(origin.pipeline) ?? origin.pipeline.lock;
      const after = await runStage(
        p,
        merged,
        s,
        { ...origin, lock: before },
        state,
        ignore,
        log,
        opts.output,
      );
      locks.set(origin.pipeline, after);
      report.ran.push(s.name);
    }
  } finally {
    await state.save();
  }
  return report;
}

/** DVC refuses a stage whose output a `.dvcignore` leaves out: it could never track it. */
async function refuseIgnoredOuts(
  root: string,
  d: DvcYaml,
  s: DvcStage,
  ignore: WorkTreeDvcIgnore,
): Promise<void> {
  for (const o of allOuts(s)) {
    if (await ignore.ignores(join(stageDir(root, d, s), o.path)))
      throw new PipelineError(
        `stage '${s.name}' has an output that .dvcignore leaves out, which DVC cannot track: '${o.path}'`,
        s.name,
      );
  }
}

function cmdText(s: DvcStage): string {
  return Array.isArray(s.cmd) ? s.cmd.join(' && ') : s.cmd;
}

/** Runs a stage (as merged: project-relative wdir, qualified name) and records it in its own dvc.lock. */
async function runStage(
  p: DvcProject,
  d: DvcYaml,
  s: DvcStage,
  origin: ProjectStage & { lock: DvcLock },
  state: HashState,
  ignore: WorkTreeDvcIgnore,
  log: (l: string) => void,
  output: ((chunk: string) => void) | undefined,
): Promise<DvcLock> {
  const cwd = stageDir(p.root, d, s);
  // deps must exist before the command runs, as DVC checks
  await stageDeps(p.root, d, s, state, ignore);
  for (const o of allOuts(s)) if (!o.persist) await rm(join(cwd, o.path), { recursive: true, force: true });
  for (const cmd of Array.isArray(s.cmd) ? s.cmd : [s.cmd]) {
    log(`> ${cmd}`);
    await runCommand(cmd, cwd, s.name, output);
  }
  const [deps, params, outs] = [
    await stageDeps(p.root, d, s, state, ignore),
    await stageParams(p.root, d, s),
    await stageOuts(p.root, d, s, state, ignore, p.cache),
  ];
  const missing = allOuts(s).filter((_, i) => outs[i] === undefined);
  if (missing.length > 0) {
    throw new PipelineError(
      `stage '${s.name}' did not create its output '${missing[0]?.path ?? ''}' (command: ${cmdText(s)})`,
      s.name,
      cmdText(s),
    );
  }
  for (const o of allOuts(s)) if (o.cache) await ignoreOutput(p.root, join(cwd, o.path));
  const next = upsertLockStage(origin.lock, {
    name: origin.stage.name,
    cmd: s.cmd,
    deps,
    params,
    outs: outs.filter((o): o is LockEntry => o !== undefined),
  });
  const text = serializeDvcLock(next);
  await writeFile(origin.pipeline.lockPath, text);
  return next;
}

function runCommand(
  cmd: string,
  cwd: string,
  stage: string,
  output: ((chunk: string) => void) | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', cmd], {
      cwd,
      stdio: output === undefined ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (b: Buffer) => output?.(b.toString()));
    child.stderr?.on('data', (b: Buffer) => output?.(b.toString()));
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    process.once('SIGTERM', forward);
    child.on('error', (e) =>
      reject(new PipelineError(`stage '${stage}' could not start \`${cmd}\`: ${e.message}`, stage, cmd)),
    );
    child.on('close', (code, signal) => {
      process.off('SIGTERM', forward);
      if (code === 0) resolve();
      else
        reject(
          new PipelineError(
            `stage '${stage}' failed: \`${cmd}\` exited with ${signal ?? `code ${code ?? '?'}`}`,
            stage,
            cmd,
          ),
        );
    });
  });
}
