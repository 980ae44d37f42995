import type { Command } from 'commander';
import { z } from 'zod';
import type { SyncOpts, SyncReport } from '../../dvc/pipeline/sync.js';
import { progressLine } from '../progress.js';

const RunOpts = z.object({ force: z.boolean().default(false), dry: z.boolean().default(false) });
const SyncOpts = z.object({ remote: z.string().min(1).optional() });

/** Runs an action, turning a PipelineError into a one-line message and exit code 1. */
async function guarded(f: () => Promise<void>): Promise<void> {
  const { PipelineError } = await import('../../dvc/pipeline/project.js');
  try {
    await f();
  } catch (e) {
    if (e instanceof PipelineError) {
      process.stderr.write(`kiln pipeline: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

/** Runs a push or pull with a progress line on a TTY stderr, then its summary. */
async function withProgress(
  verb: 'pushing' | 'pulling',
  sync: (opts: SyncOpts) => Promise<SyncReport>,
  summary: (r: SyncReport) => string,
  /** what follows the transfer, shown once every object is done */
  then?: string,
): Promise<void> {
  const { describeTransfer } = await import('../../dvc/remote/transfer.js');
  const line = progressLine();
  // at once, while the project and the cache are read; then the totals at once, as they are known
  line.update(`${verb}…`);
  let first = true;
  try {
    const r = await sync({
      onProgress: (p) => {
        const next = then !== undefined && p.objectsDone === p.objectsTotal ? `, ${then}…` : '';
        line.update(`${verb} ${describeTransfer(p)}${next}`, first || next !== '');
        first = false;
      },
    });
    line.end(summary(r));
  } finally {
    line.end();
  }
}

/** `kiln pipeline run|push|pull`, on the DVC project in the current directory, for machines without DVC. */
export function registerPipelineCommands(program: Command): void {
  const pipeline = program
    .command('pipeline')
    .description('run a DVC pipeline and move its outputs, without DVC installed');
  pipeline
    .command('run')
    .description(
      'run stages whose deps, params or outs differ from dvc.lock (and their upstream), then update dvc.lock',
    )
    .argument('[stages...]', 'stages to run, with the stages they depend on (default: all)')
    .option('--force', 'run the selected stages even when dvc.lock says they are up to date')
    .option('--dry', 'print the stages that would run without running them')
    .action(async (stages: string[], raw: unknown) => {
      const opts = RunOpts.parse(raw);
      await guarded(async () => {
        const { runPipeline } = await import('../../dvc/pipeline/run.js');
        const r = await runPipeline({
          root: process.cwd(),
          targets: stages,
          force: opts.force,
          dry: opts.dry,
        });
        if (!opts.dry && r.ran.length === 0) process.stderr.write('Everything is up to date.\n');
      });
    });
  pipeline
    .command('push')
    .description("push cached outputs tracked by dvc.lock and .dvc files to the project's default DVC remote")
    .option('-r, --remote <name>', 'a remote from .dvc/config other than the default')
    .action(async (raw: unknown) => {
      const opts = SyncOpts.parse(raw);
      await guarded(async () => {
        const { pushPipeline } = await import('../../dvc/pipeline/sync.js');
        await withProgress(
          'pushing',
          (o) => pushPipeline(process.cwd(), { ...opts, ...o }),
          (r) => `${r.transferred.length} file(s) pushed, ${r.skipped.length} already on the remote`,
        );
      });
    });
  pipeline
    .command('pull')
    .description('fetch outputs tracked by dvc.lock and .dvc files from the DVC remote and check them out')
    .option('-r, --remote <name>', 'a remote from .dvc/config other than the default')
    .action(async (raw: unknown) => {
      const opts = SyncOpts.parse(raw);
      await guarded(async () => {
        const { pullPipeline } = await import('../../dvc/pipeline/sync.js');
        await withProgress(
          'pulling',
          (o) => pullPipeline(process.cwd(), { ...opts, ...o }),
          (r) => `${r.transferred.length} file(s) fetched, ${r.checkedOut.length} path(s) checked out`,
          'checking out',
        );
      });
    });
}
