import { LRUCache } from 'lru-cache';
import { isAbsolute, join } from 'node:path';
import path from 'node:path/posix';
import type { Value } from '../../contracts/api.js';
import { endpointAllowed } from '../../contracts/compute.js';
import { defaultRemote, parseDvcConfig } from '../../core/dvc/dvc-config.js';
import { collectTableFiles, parseDvcYaml, type DvcYaml } from '../../core/dvc/dvc-yaml.js';
import { parseParamsFile } from '../../core/dvc/params-file.js';
import { findTrackedObject } from '../../core/dvc/tracked-object.js';
import { openRemote } from '../../dvc/pipeline/project.js';
import type { ObjectStore } from '../../dvc/remote/object-store.js';
import { readTrackedDir, readTrackedFile } from '../../dvc/remote/read-object.js';
import { git } from '../../git/run-git.js';
import { parseDvcLock, type DvcLock } from '../../core/dvc/dvc-lock.js';
import { pipelineFilesAt } from '../../dvc/dvcignore-at.js';
import { readAt } from './git-read.js';

export interface RemoteFilesAt {
  mirror: string;
  sha: string;
  /** the project's directory in the repository, "" for the root */
  subdir: string;
  /** where the project came from: a local path resolves relative remote URLs, as DVC does from `.dvc/` */
  source: string;
  maxBytes: number;
  /** A file's text at `sha` (path from the repository's root), null when absent; by default one `git show` each. */
  read?: (file: string) => Promise<string | null>;
  /** AWS keys for an S3 remote (the project's stored credential); else `.dvc/config` or the environment. */
  /** The project's stored AWS credential, with the endpoints it may be sent to and its name. */
  s3Credentials?: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    endpoints?: string;
    name: string;
  };
}

/** More `.dvc` and dvc.yaml files than this are not read (each is one read of the repository). */
export const MAX_DVC_FILES = 200;

/** Every dvc.yaml of a commit that parses (no `.dvcignore` excludes it), with its dvc.lock, as DVC collects them. */
export async function pipelinesAt(
  mirror: string,
  sha: string,
  subdir: string,
  gitFiles: readonly string[],
  /** a file's text at `sha` (path from the repository's root); by default one `git show` each */
  read: (file: string) => Promise<string | null> = (file) => readAt(mirror, sha, file),
): Promise<Array<{ dvcYaml: DvcYaml; lock: DvcLock | null }>> {
  const prefix = subdir ? `${subdir.replace(/\/+$/, '')}/` : '';
  const out: Array<{ dvcYaml: DvcYaml; lock: DvcLock | null }> = [];
  const files = (await pipelineFilesAt(mirror, sha, subdir, gitFiles)).slice(0, MAX_DVC_FILES);
  for (const file of files) {
    const text = await read(path.join(prefix, file));
    const yaml = text === null ? null : parseDvcYaml(text, { file });
    if (!yaml?.ok) continue;
    const lockFile = path.join(path.dirname(file), 'dvc.lock');
    const lockText = await read(path.join(prefix, lockFile));
    const lock = lockText === null ? null : parseDvcLock(lockText, lockFile);
    out.push({ dvcYaml: yaml.value, lock: lock?.ok ? lock.value : null });
  }
  return out;
}

/** A dvc.yaml of a commit with its dvc.lock, as DVC collects them (`.dvcignore` applied). */
export type KeptPipeline = Awaited<ReturnType<typeof pipelinesAt>>[number];

/** A tracked directory lists more files than this: only the first ones are read. */
export const MAX_DIR_FILES = 200;

export interface KeptFiles {
  files: Record<string, Buffer>;
  errors: Record<string, string>;
}

/**
 * Files a commit's pipelines keep in DVC (cached outs, not in Git), read from the project's
 * default DVC remote within a size cap. `pick` chooses, from the commit's dvc.yaml files and the
 * files Git holds, which files to look for; a picked path that is a tracked directory stands for
 * the files its `.dir` manifest lists that `inDir` accepts. A file past the cap is not read: its
 * entry in `errors` says "skipped: too large", which the UI shows in its place.
 */
export async function readKeptFiles(
  at: RemoteFilesAt,
  pick: (pipelines: readonly KeptPipeline[], inGit: ReadonlySet<string>) => string[],
  inDir: (file: string) => boolean = () => true,
): Promise<KeptFiles> {
  const out: KeptFiles = { files: {}, errors: {} };
  const readRoot = at.read ?? ((f: string) => readAt(at.mirror, at.sha, f));
  const read = (f: string) => readRoot(at.subdir ? path.join(at.subdir, f) : f);
  const listed = await git(['ls-tree', '-r', '-z', '--name-only', at.sha, '--', at.subdir || '.'], {
    cwd: at.mirror,
  });
  const prefix = at.subdir ? `${at.subdir.replace(/\/+$/, '')}/` : '';
  const inGit = listed
    .split('\0')
    .filter((f) => f.startsWith(prefix) && f !== '')
    .map((f) => f.slice(prefix.length));
  const gitSet = new Set(inGit);
  const pipelines = await pipelinesAt(at.mirror, at.sha, at.subdir, inGit, readRoot);
  if (pipelines.length === 0) return out;
  const wanted = [...new Set(pick(pipelines, gitSet))].filter((f) => !gitSet.has(f));
  if (wanted.length === 0) return out;
  const dvcFiles: Array<{ file: string; text: string }> = [];
  for (const f of inGit.filter((x) => x.endsWith('.dvc')).slice(0, MAX_DVC_FILES)) {
    const text = await read(f);
    if (text !== null) dvcFiles.push({ file: f, text });
  }
  const tracked = wanted.flatMap((file) => {
    const sources = [
      ...pipelines.map((p) => ({ dvcYaml: p.dvcYaml, lock: p.lock, dvcFiles: [] })),
      { dvcYaml: null, lock: null, dvcFiles },
    ];
    for (const src of sources) {
      const obj = findTrackedObject(file, src);
      if (obj !== null) return [{ file, ...obj }];
    }
    return [];
  });
  if (tracked.length === 0) return out;

  const configText = await read('.dvc/config');
  const config = configText === null ? null : parseDvcConfig(configText);
  if (config === null || !config.ok) return out;
  const root = isAbsolute(at.source) ? join(at.source, at.subdir) : at.mirror;
  // The repository chooses its endpoint: the stored keys go only to the credential's own.
  const endpoint = defaultRemote(config.value)?.options['endpointurl'];
  const creds = at.s3Credentials;
  if (creds && !endpointAllowed(creds.endpoints, endpoint)) {
    for (const t of tracked)
      out.errors[t.file] =
        `kept in DVC, but the DVC remote's endpointurl ${endpoint ?? ''} is not an endpoint of the credential "${creds.name}": an admin can add it to the credential's endpoints`;
    return out;
  }
  let store: ObjectStore;
  try {
    const s3Credentials = creds
      ? {
          accessKeyId: creds.accessKeyId,
          secretAccessKey: creds.secretAccessKey,
          ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
        }
      : undefined;
    store = openRemote(config.value, root, s3Credentials ? { s3Credentials } : {});
  } catch (e) {
    for (const t of tracked) out.errors[t.file] = `kept in DVC, but ${message(e)}`;
    return out;
  }
  const readOne = async (file: string, oid: string, relpath?: string) => {
    try {
      const r = await readCached(store, oid, at.maxBytes, relpath);
      if (r.kind === 'too-large')
        out.errors[file] =
          `skipped: too large (${r.size} bytes in the DVC remote, over the table's cap of ${at.maxBytes})`;
      else if (r.kind === 'missing') out.errors[file] = `not in the DVC remote ${store.label}`;
      else out.files[file] = r.bytes;
    } catch (e) {
      out.errors[file] = `could not be read from the DVC remote: ${message(e)}`;
    }
  };
  for (const t of tracked) {
    if (!t.oid.endsWith('.dir') || t.relpath !== undefined) {
      await readOne(t.file, t.oid, t.relpath);
      continue;
    }
    // a tracked directory: the files its manifest lists
    let entries;
    try {
      entries = await manifestCached(store, t.oid);
    } catch (e) {
      out.errors[t.file] = `could not be read from the DVC remote: ${message(e)}`;
      continue;
    }
    if (entries === null) {
      out.errors[t.file] = `not in the DVC remote ${store.label}`;
      continue;
    }
    const files = entries
      .map((e) => ({ ...e, file: path.normalize(path.join(t.file, e.relpath)) }))
      .filter((e) => e.file.startsWith(`${t.file}/`) && inDir(e.file));
    if (files.length > MAX_DIR_FILES)
      out.errors[t.file] = `skipped: too many files (${files.length}; the first ${MAX_DIR_FILES} are shown)`;
    for (const e of files.slice(0, MAX_DIR_FILES)) await readOne(e.file, e.md5);
  }
  return out;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

type Read = Awaited<ReturnType<typeof readTrackedFile>>;
type Manifest = Array<{ md5: string; relpath: string }>;

/**
 * DVC objects are content-addressed, so what a remote holds under an md5 never changes: a
 * table over thousands of commits whose metrics rarely change reads each object once. Keyed by
 * the store's {@link ObjectStore.id} (never its label: two projects' remotes can share a label
 * yet hold different objects, and one must not show what only the other holds) and the file's
 * own md5, a file in a tracked directory first resolved through its verified manifest. "missing"
 * is never kept (a later push adds it), and a "too large" answer only while the cap is no larger
 * than the size it reported.
 */
const objects = new LRUCache<string, Exclude<Read, { kind: 'missing' }>>({
  maxSize: 64 * 1024 * 1024,
  sizeCalculation: (r) => (r.kind === 'bytes' ? Math.max(1, r.bytes.length) : 1),
});

/** Verified `.dir` manifests, by store id and object name: a directory of plots is listed once. */
const manifests = new LRUCache<string, Manifest>({
  maxSize: 16 * 1024 * 1024,
  sizeCalculation: (m) =>
    Math.max(
      1,
      m.reduce((n, e) => n + e.relpath.length + 48, 0),
    ),
});

async function manifestCached(store: ObjectStore, oid: string): Promise<Manifest | null> {
  const key = `${store.id}\0${oid}`;
  const hit = manifests.get(key);
  if (hit !== undefined) return hit;
  const m = await readTrackedDir(store, oid);
  if (m !== null) manifests.set(key, m);
  return m;
}

async function readCached(
  store: ObjectStore,
  oid: string,
  maxBytes: number,
  relpath?: string,
): Promise<Read> {
  let md5 = oid;
  if (oid.endsWith('.dir')) {
    if (relpath === undefined) return { kind: 'missing' };
    const entry = (await manifestCached(store, oid))?.find((e) => e.relpath === relpath);
    if (entry === undefined) return { kind: 'missing' };
    md5 = entry.md5;
  }
  const key = `${store.id}\0${md5}`;
  const hit = objects.get(key);
  if (hit?.kind === 'bytes' && hit.bytes.length <= maxBytes) return hit;
  if (hit?.kind === 'too-large' && hit.size > maxBytes) return hit;
  const r = await readTrackedFile(store, md5, maxBytes);
  if (r.kind !== 'missing') objects.set(key, r);
  return r;
}

/** The metrics files a commit's dvc.yaml names that are kept by DVC, parsed; see {@link readKeptFiles}. */
export async function readRemoteMetrics(
  at: RemoteFilesAt,
): Promise<{ metrics: Record<string, Record<string, Value>>; errors: Record<string, string> }> {
  const got = await readKeptFiles(at, (pipelines) =>
    pipelines.flatMap((p) => collectTableFiles(p.dvcYaml).metrics),
  );
  const out = { metrics: {} as Record<string, Record<string, Value>>, errors: got.errors };
  for (const [file, bytes] of Object.entries(got.files)) {
    const parsed = parseParamsFile(file, bytes.toString('utf8'));
    if (parsed.ok) out.metrics[file] = parsed.value;
    else out.errors[file] = parsed.error;
  }
  return out;
}
