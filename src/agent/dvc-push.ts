import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultRemote, mergeDvcConfig, parseDvcConfig, type DvcConfig } from '../core/dvc/dvc-config.js';
import { describeTransfer, type TransferProgress } from '../dvc/remote/transfer.js';

type Log = (stream: 'stdout' | 'stderr' | 'system', text: string) => void;

async function readConfig(file: string): Promise<DvcConfig | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const r = parseDvcConfig(text, path.basename(file));
  return r.ok ? r.value : undefined;
}

/** The name of the project's default DVC remote (`.dvc/config` with `config.local` over it), if any. */
export async function dvcRemoteOf(project: string): Promise<string | undefined> {
  const base = await readConfig(path.join(project, '.dvc', 'config'));
  const local = await readConfig(path.join(project, '.dvc', 'config.local'));
  const merged = base && local ? mergeDvcConfig(base, local) : (local ?? base);
  return merged ? defaultRemote(merged)?.name : undefined;
}

function hasDvc(env: Readonly<Record<string, string | undefined>>): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('dvc', ['version'], { stdio: 'ignore', env });
    p.on('error', () => resolve(false));
    p.on('close', (code) => resolve(code === 0));
  });
}

function runLogged(
  cmd: string,
  args: string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  log: Log,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (b: Buffer) => log('stdout', b.toString('utf8')));
    p.stderr.on('data', (b: Buffer) => log('stderr', b.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => resolve(code));
  });
}

/**
 * Progress of a push as a few lines of the run's log, not one per object: the totals, then a line
 * at each further tenth of the way (by bytes, or objects when a byte total is unknown) or when
 * `everyMs` passed since the last line, and the end.
 */
export function progressLog(log: Log, everyMs = 10_000): (p: TransferProgress) => void {
  let tenth = -1;
  let at = 0;
  return (p) => {
    if (p.objectsTotal === 0) return;
    const frac =
      p.bytesTotal !== undefined && p.bytesTotal > 0
        ? p.bytesDone / p.bytesTotal
        : p.objectsDone / p.objectsTotal;
    const now = Date.now();
    // the end is a step of its own: bytes can be all done before the last (empty) objects are
    const t = p.objectsDone === p.objectsTotal ? 11 : Math.floor(frac * 10);
    if (t <= tenth && now - at < everyMs) return;
    tenth = t;
    at = now;
    log('system', `kiln: pushing DVC outputs ${describeTransfer(p)}\n`);
  };
}

/**
 * After a successful job script: pushes the DVC outputs to the project's DVC remote, with `dvc push`
 * when DVC is installed, else with Kiln's own pipeline push (the code behind `kiln pipeline push`,
 * built into the agent so a copied agent needs no kiln CLI). Returns an error message, or null when
 * pushed or when the project has no DVC remote.
 */
export async function pushDvcOutputs(
  project: string,
  env: Readonly<Record<string, string | undefined>>,
  log: Log,
): Promise<string | null> {
  const remote = await dvcRemoteOf(project);
  if (remote === undefined) return null;
  try {
    if (await hasDvc(env)) {
      log('system', `kiln: dvc push (remote '${remote}')\n`);
      const code = await runLogged('dvc', ['push'], project, env, log);
      return code === 0 ? null : `dvc push exited with ${code}`;
    }
    log('system', `kiln: pushing DVC outputs to remote '${remote}'\n`);
    const { pushPipeline } = await import('../dvc/pipeline/sync.js');
    const r = await pushPipeline(project, { onProgress: progressLog(log) });
    log(
      'system',
      `kiln: ${r.transferred.length} file(s) pushed, ${r.skipped.length} already on the remote\n`,
    );
    return null;
  } catch (err) {
    return `DVC push to '${remote}': ${err instanceof Error ? err.message : String(err)}`;
  }
}
