import { isAbsolute, join } from 'node:path';
import path from 'node:path/posix';
import type { Value } from '../../contracts/api.js';
import { parseDvcConfig } from '../../core/dvc/dvc-config.js';
import { parseDvcLock } from '../../core/dvc/dvc-lock.js';
import { collectTableFiles, parseDvcYaml, type DvcYaml } from '../../core/dvc/dvc-yaml.js';
import { parseParamsFile } from '../../core/dvc/params-file.js';
import { findTrackedObject } from '../../core/dvc/tracked-object.js';
import { openRemote } from '../../dvc/pipeline/project.js';
import { readTrackedText } from '../../dvc/remote/read-object.js';
import { git } from '../../git/run-git.js';
import { readAt } from './repo-read.js';

/** Setting: the largest metrics file the table reads from a DVC remote, in bytes. */
export const REMOTE_CAP_SETTING = 'table.dvcRemoteMaxBytes';
export const DEFAULT_REMOTE_CAP = 1024 * 1024;

export interface RemoteFilesAt {
  mirror: string;
  sha: string;
  /** the project's directory in the repository, "" for the root */
  subdir: string;
  /** where the project came from: a local path resolves relative remote URLs, as DVC does from `.dvc/` */
  source: string;
  maxBytes: number;
  /** AWS keys for an S3 remote (the project's stored credential); else `.dvc/config` or the environment. */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * Files a commit's pipeline keeps in DVC (cached outs, not in Git), read as text from the
 * project's default DVC remote within a size cap. `pick` chooses, from the commit's dvc.yaml and
 * the files Git holds, which files to look for. A file past the cap is not read: its entry in
 * `errors` says "skipped: too large", which the UI shows in its place.
 */
export async function readKeptTexts(
  at: RemoteFilesAt,
  pick: (yaml: DvcYaml, inGit: ReadonlySet<string>) => string[],
): Promise<{ texts: Record<string, string>; errors: Record<string, string> }> {
  const out = { texts: {} as Record<string, string>, errors: {} as Record<string, string> };
  const read = (f: string) => readAt(at.mirror, at.sha, at.subdir ? path.join(at.subdir, f) : f);
  const yamlText = await read('dvc.yaml');
  const yaml = yamlText === null ? null : parseDvcYaml(yamlText, { file: 'dvc.yaml' });
  if (!yaml?.ok) return out;
  const listed = await git(['ls-tree', '-r', '-z', '--name-only', at.sha, '--', at.subdir || '.'], {
    cwd: at.mirror,
  });
  const prefix = at.subdir ? `${at.subdir.replace(/\/+$/, '')}/` : '';
  const inGit = listed
    .split('\0')
    .filter((f) => f.startsWith(prefix) && f !== '')
    .map((f) => f.slice(prefix.length));
  const gitSet = new Set(inGit);
  const wanted = pick(yaml.value, gitSet).filter((f) => !gitSet.has(f));
  if (wanted.length === 0) return out;
  const lockText = await read('dvc.lock');
  const lock = lockText === null ? null : parseDvcLock(lockText);
  const dvcFiles: Array<{ file: string; text: string }> = [];
  for (const f of inGit.filter((x) => x.endsWith('.dvc')).slice(0, 200)) {
    const text = await read(f);
    if (text !== null) dvcFiles.push({ file: f, text });
  }
  const sources = { dvcYaml: yaml.value, lock: lock?.ok ? lock.value : null, dvcFiles };
  const tracked = wanted.flatMap((file) => {
    const obj = findTrackedObject(file, sources);
    return obj === null ? [] : [{ file, ...obj }];
  });
  if (tracked.length === 0) return out;

  const configText = await read('.dvc/config');
  const config = configText === null ? null : parseDvcConfig(configText);
  if (config === null || !config.ok) return out;
  const root = isAbsolute(at.source) ? join(at.source, at.subdir) : at.mirror;
  let store;
  try {
    store = openRemote(config.value, root, at.s3Credentials ? { s3Credentials: at.s3Credentials } : {});
  } catch (e) {
    for (const t of tracked)
      out.errors[t.file] = `kept in DVC, but ${e instanceof Error ? e.message : String(e)}`;
    return out;
  }
  for (const t of tracked) {
    try {
      const r = await readTrackedText(store, t.oid, at.maxBytes, t.relpath);
      if (r.kind === 'too-large')
        out.errors[t.file] =
          `skipped: too large (${r.size} bytes in the DVC remote, over the table's cap of ${at.maxBytes})`;
      else if (r.kind === 'missing') out.errors[t.file] = `not in the DVC remote ${store.label}`;
      else out.texts[t.file] = r.text;
    } catch (e) {
      out.errors[t.file] =
        `could not be read from the DVC remote: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return out;
}

/** The metrics files a commit's dvc.yaml names that are kept by DVC, parsed; see {@link readKeptTexts}. */
export async function readRemoteMetrics(
  at: RemoteFilesAt,
): Promise<{ metrics: Record<string, Record<string, Value>>; errors: Record<string, string> }> {
  const got = await readKeptTexts(at, (yaml) => collectTableFiles(yaml).metrics);
  const out = { metrics: {} as Record<string, Record<string, Value>>, errors: got.errors };
  for (const [file, text] of Object.entries(got.texts)) {
    const parsed = parseParamsFile(file, text);
    if (parsed.ok) out.metrics[file] = parsed.value;
    else out.errors[file] = parsed.error;
  }
  return out;
}
