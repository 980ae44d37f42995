import { dvcRemoteOf } from './dvc-push.js';

type Log = (stream: 'stdout' | 'stderr' | 'system', text: string) => void;

/**
 * Part of preparing a run's workspace, the same on every target (the agent does it wherever it
 * runs): fetches the outputs dvc.lock and `.dvc` files record from the project's default DVC
 * remote and checks them out, with Kiln's own pull (the code behind `kiln pipeline pull`), so a
 * machine needs neither DVC nor the kiln CLI. A project without a DVC remote has nothing to
 * pull; a failed pull is logged and the job runs with the inputs at hand.
 */
export async function pullDvcInputs(
  project: string,
  env: Readonly<Record<string, string | undefined>>,
  log: Log,
): Promise<void> {
  const remote = await dvcRemoteOf(project);
  if (remote === undefined) return;
  log('system', `kiln: pulling DVC-tracked inputs from remote '${remote}'\n`);
  try {
    const { pullPipeline } = await import('../dvc/pipeline/sync.js');
    // the job's environment holds the project's S3 keys (the agent's own may not)
    const id = env['AWS_ACCESS_KEY_ID'];
    const secret = env['AWS_SECRET_ACCESS_KEY'];
    const token = env['AWS_SESSION_TOKEN'];
    const r = await pullPipeline(project, {
      ...(id && secret
        ? {
            s3Credentials: {
              accessKeyId: id,
              secretAccessKey: secret,
              ...(token ? { sessionToken: token } : {}),
            },
          }
        : {}),
    });
    log(
      'system',
      `kiln: ${r.transferred.length} file(s) fetched, ${r.checkedOut.length} path(s) checked out\n`,
    );
  } catch (err) {
    log(
      'system',
      `kiln: DVC pull from '${remote}' failed: ${err instanceof Error ? err.message : String(err)}; running with the inputs at hand\n`,
    );
  }
}
