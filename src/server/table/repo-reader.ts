import { CatFile } from '../../git/cat-file.js';
import type { Value } from '../../contracts/api.js';
import type { Store } from '../../store/port.js';
import type { ProjectService } from '../projects/project-service.js';
import { resolveRev } from './git-read.js';
import { readKeptFiles, readRemoteMetrics, type KeptFiles, type RemoteFilesAt } from './remote-files.js';
import { Settings } from '../settings.js';

/**
 * How the table and the plots read a project's repository: its mirror, a rev resolved to a
 * commit, a file at a commit over one long-lived `git cat-file` per project, and what a commit
 * keeps in DVC (not in Git) read from the project's DVC remote within the cap.
 */
export class RepoReader {
  private readonly cats = new Map<string, CatFile>();

  constructor(
    private readonly store: Store,
    private readonly projects: ProjectService,
  ) {}

  mirror(project: string): string {
    return this.projects.mirrorDir(project);
  }

  /** A rev of the project to its full commit sha, or a 400 naming it. */
  resolve(project: string, rev: string): Promise<string> {
    return resolveRev(this.mirror(project), rev);
  }

  /** A file's bytes at a commit (`file` from the repository's root), or null when it has none. */
  bytesAt(project: string, sha: string, file: string): Promise<Buffer | null> {
    return this.cat(project).contents(`${sha}:${file}`);
  }

  /** A file's size in bytes at a commit without reading it; 0 when the mirror lacks it (a submodule). */
  async sizeAt(project: string, sha: string, file: string): Promise<number> {
    return (await this.cat(project).info(`${sha}:${file}`))?.size ?? 0;
  }

  /** A file's text at a commit (`file` from the repository's root), or null when it has none. */
  async textAt(project: string, sha: string, file: string): Promise<string | null> {
    return (await this.bytesAt(project, sha, file))?.toString('utf8') ?? null;
  }

  /** Metrics commit `sha` keeps in DVC (not in Git), from the project's DVC remote within the cap. */
  async remoteMetrics(
    project: string,
    sha: string,
  ): Promise<{ metrics: Record<string, Record<string, Value>>; errors: Record<string, string> }> {
    return readRemoteMetrics(await this.keptAt(project, sha));
  }

  /** Files commit `sha` keeps in DVC among `files` (a directory: its files `inDir` accepts), within the cap. */
  async keptFiles(
    project: string,
    sha: string,
    files: readonly string[],
    inDir?: (file: string) => boolean,
  ): Promise<KeptFiles> {
    return readKeptFiles(await this.keptAt(project, sha), () => [...files], inDir);
  }

  private cat(project: string): CatFile {
    let cat = this.cats.get(project);
    if (!cat) {
      cat = new CatFile(this.mirror(project));
      this.cats.set(project, cat);
    }
    return cat;
  }

  /** Ends the project's `cat-file` (a deleted project, or a server closing). */
  drop(project: string): void {
    this.cats.get(project)?.close();
    this.cats.delete(project);
  }

  close(): void {
    for (const project of [...this.cats.keys()]) this.drop(project);
  }

  /** Where and how the project's DVC remote is read for commit `sha` (cap, keys). */
  private async keptAt(project: string, sha: string): Promise<RemoteFilesAt> {
    const p = await this.projects.record(project);
    const cap = await new Settings(this.store).get('table.dvcRemoteMaxBytes');
    // A stored credential that no longer opens: read as without one (the remote then says why).
    const s3Credentials = await this.projects.dvcRemoteCredentials(project).catch(() => undefined);
    return {
      ...(s3Credentials ? { s3Credentials } : {}),
      mirror: this.mirror(project),
      sha,
      read: (file) => this.textAt(project, sha, file),
      subdir: p.subdir ?? '',
      source: p.source,
      maxBytes: cap,
    };
  }
}
