import { GitCredentials } from '../../contracts/api.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { SecretBox } from '../secrets.js';

/**
 * Reads a project's record and its sealed Git credentials: what every CI feature (commits, pull
 * requests, CI status, summaries) needs first, kept apart so none of them imports another for it.
 */
export async function projectAccess(store: Store, box: SecretBox, name: string) {
  const rec = await store.getProject(name);
  if (!rec) throw new ApiFailure('not_found', `no project named "${name}"`);
  const creds = rec.credentialsEnc ? GitCredentials.parse(JSON.parse(box.open(rec.credentialsEnc))) : null;
  return { rec, creds };
}
