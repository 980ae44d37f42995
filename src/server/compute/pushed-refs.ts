import { git } from '../../git/run-git.js';
import { bundleRefs, restoreRefs } from '../../git/stored-refs.js';
import type { PushCommand } from '../../git/push-commands.js';
import type { Store } from '../../store/port.js';

const ZERO = /^0+$/;

/**
 * Several servers on one PostgreSQL: a run's pushed refs (its result and checkpoint) are kept in
 * the shared store, as git bundles of what the upstream lacks, before the push is acknowledged —
 * so the result outlives this server's disk, and any server can put it back in its mirror. On
 * SQLite (one server) the mirror on this disk is the only copy there is to serve.
 */
export async function keepPushedRefs(
  store: Store,
  mirror: string,
  access: { project: string },
  commands: readonly PushCommand[],
): Promise<void> {
  if (store.dialect !== 'postgres') return;
  const refs = commands.filter((c) => !ZERO.test(c.newOid)).map((c) => ({ ref: c.ref, sha: c.newOid }));
  for (const b of await bundleRefs(mirror, refs)) await store.gitRefs.put({ project: access.project, ...b });
}

/** Puts the refs kept in the shared store back into a project's mirror (a fresh or stale one). */
export async function restorePushedRefs(store: Store, project: string, mirror: string): Promise<string[]> {
  if (store.dialect !== 'postgres') return [];
  return restoreRefs(mirror, await store.gitRefs.list(project));
}

/**
 * A resumed run's checkpoint, before its agent fetches it from this server's mirror: another
 * server may have received it after this one last fetched the project. Cheap when the mirror has
 * it already (one row read, one `rev-parse`); restores just that ref otherwise.
 */
export async function ensureCheckpoint(
  store: Store,
  project: string,
  mirror: string,
  experimentId: string,
): Promise<void> {
  if (store.dialect !== 'postgres') return;
  const sha = await store.agents.checkpoint(experimentId);
  if (!sha) return;
  const ref = `refs/kiln/checkpoints/${experimentId}`;
  const have = await git(['rev-parse', '--verify', '--quiet', ref], { cwd: mirror }).catch(() => '');
  if (have.trim() === sha) return;
  await restoreRefs(
    mirror,
    (await store.gitRefs.list(project)).filter((r) => r.ref === ref),
  );
}
