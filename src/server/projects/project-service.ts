import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  GitCredentials,
  ProjectSettings,
  type CreateProjectBody,
  type Project,
  type UpdateProjectBody,
} from '../../contracts/api.js';
import { credentialEnv, normalizeSource, syncMirror } from '../../git/mirror.js';
import { restoreLocalBranches } from '../../git/local-branches.js';
import { restorePushedRefs } from '../compute/pushed-refs.js';
import { git, GitError } from '../../git/run-git.js';
import type { ProjectRecord, Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import { checkSource, type SourcePolicy } from './source-policy.js';
import type { EventBus } from '../event-bus.js';
import type { SecretBox } from '../secrets.js';
import { CredentialSecret } from '../../contracts/compute.js';
/** A project as ProjectService knows it; its last commit is the table's (TableService). */
export type ProjectInfo = Omit<Project, 'lastCommit'>;

/**
 * Commands and reads on projects: their records, mirrors and fetches. What is read from a
 * mirror (the experiments table) listens: `onFetched` runs after every fetch.
 */
export class ProjectService {
  /** Serializes the fetches of one project. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly fetched: Array<(project: string) => Promise<boolean>> = [];
  private readonly removers: Array<(project: string) => Promise<void>> = [];
  private readonly updated: Array<(project: string) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly bus: EventBus,
    private readonly home: string,
    /** Where sources may be; by default only the demo repository in the data dir. */
    private readonly sources: Omit<SourcePolicy, 'home'> = {
      roots: [path.join(home, 'demo-repo')],
      allowPrivate: false,
    },
  ) {}

  mirrorDir(name: string): string {
    return path.join(this.home, 'repos', `${name}.git`);
  }

  /**
   * Whether this server has fetched the project yet: with several servers, a project another
   * server added (its fetch state says `ok`) has no mirror here until this server fetches it.
   */
  hasMirror(name: string): boolean {
    return existsSync(path.join(this.mirrorDir(name), 'HEAD'));
  }

  /**
   * Runs `listener` after each fetch of a project, before its fetch state says `ok`; a listener
   * that fails fails the fetch. It answers whether what it reads from the mirror changed: then
   * browsers are told the table changed (after the fetch's `ok`).
   */
  onFetched(listener: (project: string) => Promise<boolean>): void {
    this.fetched.push(listener);
  }

  /**
   * Runs `listener` when a person changes a project's settings or credentials: what was read with
   * the old ones (a DVC remote refused without keys, say) is read again.
   */
  onUpdated(listener: (project: string) => void): void {
    this.updated.push(listener);
  }

  /** Lets a module delete what it keeps of a project when the project is deleted. */
  onRemove(remover: (project: string) => Promise<void>): void {
    this.removers.push(remover);
  }

  async list(): Promise<ProjectInfo[]> {
    const recs = await this.store.listProjects();
    const running = await this.store.experiments.activeCounts();
    return recs.map((r) => this.present(r, running.get(r.name) ?? 0));
  }

  async get(name: string): Promise<ProjectInfo> {
    const running = await this.store.experiments.activeCounts();
    return this.present(await this.record(name), running.get(name) ?? 0);
  }

  /** Adds a project owned by `teamId` (default: the `default` team). */
  async create(body: CreateProjectBody, teamId?: string): Promise<ProjectInfo> {
    if (await this.store.getProject(body.name))
      throw new ApiFailure('conflict', `a project named "${body.name}" already exists`);
    const source = normalizeSource(body.source, process.cwd());
    await checkSource(body.source, source, { ...this.sources, home: this.home });
    if (path.isAbsolute(source) && !(existsSync(source) && statSync(source).isDirectory())) {
      throw new ApiFailure(
        'bad_request',
        `source "${body.source}" is neither a Git URL nor an existing directory`,
      );
    }
    const settings = ProjectSettings.parse(body.settings ?? {});
    await this.store.createProject({
      name: body.name,
      source,
      subdir: body.subdir ?? null,
      credentialsEnc: body.credentials ? this.box.seal(JSON.stringify(body.credentials)) : null,
      settingsJson: JSON.stringify(settings),
      fetchState: 'never',
      fetchAt: null,
      fetchError: null,
      createdAt: new Date().toISOString(),
      ...(teamId ? { teamId } : {}),
    });
    void this.reload(body.name).catch(() => undefined);
    return this.get(body.name);
  }

  async update(name: string, body: UpdateProjectBody): Promise<ProjectInfo> {
    const rec = await this.record(name);
    const settings = { ...ProjectSettings.parse(JSON.parse(rec.settingsJson)), ...body.settings };
    if (body.settings?.dvcCredential) {
      const c = await this.store.compute.getCredential(body.settings.dvcCredential);
      if (!c || c.kind !== 'aws')
        throw new ApiFailure(
          'bad_request',
          `dvcCredential: "${body.settings.dvcCredential}" is not an AWS credential in Settings → Credentials`,
        );
    }
    await this.store.updateProject(name, {
      ...(body.subdir !== undefined ? { subdir: body.subdir } : {}),
      ...(body.credentials !== undefined
        ? { credentialsEnc: body.credentials ? this.box.seal(JSON.stringify(body.credentials)) : null }
        : {}),
      settingsJson: JSON.stringify(settings),
    });
    for (const listener of this.updated) listener(name);
    await this.reload(name).catch(() => undefined);
    return this.get(name);
  }

  async remove(name: string): Promise<void> {
    await this.record(name);
    // Before the project's rows go: the removers look up its runs to delete what names them.
    for (const remove of this.removers) await remove(name);
    await this.store.deleteProject(name);
    // What CI kept for it goes too: cached statuses, stored pull requests, its webhook secret.
    await this.store.ci.removeProject(name);
    await this.store.deleteSettings([`ci.webhookSecret:${name}`]);
    await rm(this.mirrorDir(name), { recursive: true, force: true });
    this.chains.delete(name);
  }

  /**
   * Pushes a commit of the mirror to `ref` in the project's own remote with its stored
   * credentials (askpass or key file; never in a URL or a log). Experiment refs are Kiln's to
   * overwrite, as `dvc exp push` does; nothing else is pushed with force.
   */
  async pushToSource(name: string, sha: string, ref: string): Promise<void> {
    const rec = await this.record(name);
    const mirror = this.mirrorDir(name);
    if (rec.source === mirror) return;
    const force = ref.startsWith('refs/exps/');
    const { env, cleanup } = await credentialEnv(this.credentials(rec));
    try {
      await git(['push', '--quiet', ...(force ? ['--force'] : []), '--', rec.source, `${sha}:${ref}`], {
        cwd: mirror,
        env,
        timeoutMs: 10 * 60_000,
      });
    } finally {
      await cleanup();
    }
  }

  /** Fetches the mirror, then tells the `onFetched` listeners; failures are stored on the project and thrown. */
  async reload(name: string): Promise<ProjectInfo> {
    const run = (this.chains.get(name) ?? Promise.resolve()).then(async () => {
      const rec = await this.record(name);
      await this.store.updateProject(name, { fetchState: 'fetching' });
      this.bus.publish({ type: 'project.fetch', project: name, state: 'fetching', error: null });
      try {
        await syncMirror(this.mirrorDir(name), rec.source, this.credentials(rec));
        await restoreLocalBranches(this.mirrorDir(name));
        // Results and checkpoints other servers of a cluster received (see compute/pushed-refs.ts).
        await restorePushedRefs(this.store, name, this.mirrorDir(name));
        let changed = false;
        for (const listener of this.fetched) if (await listener(name)) changed = true;
        await this.store.updateProject(name, {
          fetchState: 'ok',
          fetchAt: new Date().toISOString(),
          fetchError: null,
        });
        this.bus.publish({ type: 'project.fetch', project: name, state: 'ok', error: null });
        if (changed) this.bus.publish({ type: 'table.changed', project: name });
      } catch (err) {
        const message = err instanceof GitError ? err.message : `fetch failed: ${String(err)}`;
        await this.store.updateProject(name, {
          fetchState: 'error',
          fetchAt: new Date().toISOString(),
          fetchError: message,
        });
        this.bus.publish({ type: 'project.fetch', project: name, state: 'error', error: message });
        throw new ApiFailure('git_failed', message);
      }
    });
    this.chains.set(
      name,
      run.catch(() => undefined),
    );
    await run;
    return this.get(name);
  }

  /** Reloads every project; used by the fetch timer. */
  async reloadAll(): Promise<void> {
    for (const p of await this.store.listProjects()) await this.reload(p.name).catch(() => undefined);
  }

  /** The AWS keys for the project's S3 DVC remote, when its settings name a stored credential. */
  async dvcRemoteCredentials(name: string): Promise<
    | {
        accessKeyId: string;
        secretAccessKey: string;
        sessionToken?: string;
        endpoints?: string;
        name: string;
      }
    | undefined
  > {
    const rec = await this.record(name);
    const wanted = ProjectSettings.parse(JSON.parse(rec.settingsJson)).dvcCredential;
    if (!wanted) return undefined;
    const c = await this.store.compute.getCredential(wanted);
    if (!c) return undefined;
    const secret = CredentialSecret.parse(JSON.parse(this.box.open(c.secretEnc)));
    if (secret.kind !== 'aws') return undefined;
    return {
      accessKeyId: secret.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      ...(secret.sessionToken ? { sessionToken: secret.sessionToken } : {}),
      ...(secret.endpoints ? { endpoints: secret.endpoints } : {}),
      name: wanted,
    };
  }

  private credentials(rec: ProjectRecord) {
    if (!rec.credentialsEnc) return null;
    return GitCredentials.parse(JSON.parse(this.box.open(rec.credentialsEnc)));
  }

  async record(name: string): Promise<ProjectRecord> {
    const rec = await this.store.getProject(name);
    if (!rec) throw new ApiFailure('not_found', `no project named "${name}"`);
    return rec;
  }

  private present(r: ProjectRecord, runningExperiments: number): ProjectInfo {
    return {
      name: r.name,
      source: r.source,
      subdir: r.subdir,
      hasCredentials: r.credentialsEnc !== null,
      settings: ProjectSettings.parse(JSON.parse(r.settingsJson)),
      fetch: { state: r.fetchState, at: r.fetchAt, error: r.fetchError },
      runningExperiments,
      createdAt: r.createdAt,
    };
  }
}
