import path from 'node:path/posix';
import type { PlotDefinition, PlotImage, PlotRow, PlotSeries, PlotSource } from '../../contracts/live.js';
import { parseDvcYaml, type DvcYaml } from '../../core/dvc/dvc-yaml.js';
import {
  collectPlotDefinitions,
  defaultDefinitions,
  isDataPath,
  isImagePath,
} from '../../core/live/plot-defs.js';
import { parsePlotFile } from '../../core/live/plot-file.js';
import { CatFile } from '../../git/cat-file.js';
import { git, GitError } from '../../git/run-git.js';
import { PlotRow as PlotRowSchema } from '../../contracts/live.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { LiveService } from './live-service.js';

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
};
const mimeOf = (p: string) => MIME[path.extname(p).slice(1).toLowerCase()] ?? 'application/octet-stream';

interface CommitPlots {
  definitions: PlotDefinition[];
  series: PlotSeries[];
  images: PlotImage[];
  errors: Record<string, string>;
}

/** Plots of commits (read from the project's mirror) and of live experiments (from their events). */
type KeptTexts = (
  project: string,
  sha: string,
  files: readonly string[],
) => Promise<{ texts: Record<string, string>; errors: Record<string, string> }>;

export class PlotsReader {
  private readonly cache = new Map<string, CommitPlots>();

  constructor(
    private readonly store: Store,
    private readonly live: LiveService,
    private readonly mirrorDir: (project: string) => string,
    /** Plot files a commit keeps in DVC (not in Git), read from the project's DVC remote within a cap. */
    private readonly keptTexts: KeptTexts | null = null,
  ) {}

  async commit(project: string, subdir: string | null, rev: string): Promise<PlotSource> {
    const mirror = this.mirrorDir(project);
    const sha = await this.resolve(mirror, rev);
    const got = await this.commitPlots(mirror, subdir ?? '', sha, (files) =>
      this.keptTexts ? this.keptTexts(project, sha, files) : Promise.resolve({ texts: {}, errors: {} }),
    );
    return { kind: 'commit', id: sha, rev: sha, status: null, ...got };
  }

  async experiment(project: string, subdir: string | null, idOrName: string): Promise<PlotSource> {
    const exp = await this.live.get(project, idOrName);
    if (!exp) throw new ApiFailure('not_found', `no live experiment "${idOrName}" in project "${project}"`);
    const byPlot = new Map<string, PlotRow[]>();
    for (const p of await this.store.live.points(exp.id)) {
      const row = PlotRowSchema.safeParse(JSON.parse(p.rowJson));
      if (!row.success) continue;
      const rows = byPlot.get(p.plot);
      if (rows) rows.push(row.data);
      else byPlot.set(p.plot, [row.data]);
    }
    const series = [...byPlot].map(([p, rows]) => ({ path: p, rows }));
    const images = (await this.store.live.images(exp.id)).map((i) => ({
      path: i.plot,
      mime: mimeOf(i.plot),
      base64: i.base64,
    }));
    let definitions: PlotDefinition[] = [];
    const errors: Record<string, string> = {};
    try {
      const base = await this.commitPlots(this.mirrorDir(project), subdir ?? '', exp.baseline, (files) =>
        this.keptTexts
          ? this.keptTexts(project, exp.baseline, files)
          : Promise.resolve({ texts: {}, errors: {} }),
      );
      definitions = base.definitions;
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
    }
    definitions = [
      ...definitions,
      ...defaultDefinitions(
        definitions,
        series.map((s) => s.path),
      ),
    ];
    return {
      kind: 'experiment',
      id: exp.name,
      rev: exp.experimentRev ?? exp.id,
      status: exp.status,
      definitions,
      series,
      images,
      errors,
    };
  }

  private async resolve(mirror: string, rev: string): Promise<string> {
    try {
      return (
        await git(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`], { cwd: mirror })
      ).trim();
    } catch (err) {
      if (err instanceof GitError) throw new ApiFailure('bad_request', `no commit "${rev}" in this project`);
      throw err;
    }
  }

  private async commitPlots(
    mirror: string,
    subdir: string,
    sha: string,
    kept: (files: readonly string[]) => ReturnType<KeptTexts>,
  ): Promise<CommitPlots> {
    const key = `${mirror}\0${subdir}\0${sha}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const prefix = subdir ? `${subdir.replace(/\/+$/, '')}/` : '';
    const listing = await git(['ls-tree', '-r', '--name-only', sha, '--', prefix || '.'], { cwd: mirror });
    const tree = listing
      .split('\n')
      .filter((l) => l.length > 0 && l.startsWith(prefix))
      .map((l) => l.slice(prefix.length));
    const errors: Record<string, string> = {};
    const yamls: DvcYaml[] = [];
    for (const f of tree.filter((t) => t === 'dvc.yaml' || t.endsWith('/dvc.yaml'))) {
      const parsed = parseDvcYaml(await this.show(mirror, sha, prefix + f), { file: f });
      if (parsed.ok) yamls.push(parsed.value);
      else errors[f] = parsed.error;
    }
    // Stage plots the pipeline caches are not in Git: their text comes from the DVC remote.
    const stagePlots = yamls.flatMap((y) =>
      y.stages.flatMap((st) => st.plots.map((p) => path.join(y.dir, st.wdir, p.path))),
    );
    const missing = stagePlots.filter((f) => !tree.includes(f) && isDataPath(f));
    const remote = missing.length ? await kept(missing) : { texts: {}, errors: {} };
    Object.assign(errors, remote.errors);
    const definitions = collectPlotDefinitions(yamls, [...tree, ...Object.keys(remote.texts)]);
    const files = new Set(definitions.flatMap((d) => d.files));
    const series: PlotSeries[] = [];
    const images: PlotImage[] = [];
    for (const f of files) {
      const fromRemote = remote.texts[f];
      if (fromRemote !== undefined) {
        const parsed = parsePlotFile(f, fromRemote);
        if (parsed.ok) series.push({ path: f, rows: parsed.rows });
        else errors[f] = parsed.error;
        continue;
      }
      if (!tree.includes(f)) continue;
      if (isImagePath(f)) {
        const bytes = await this.blob(mirror, `${sha}:${prefix}${f}`);
        if (bytes) images.push({ path: f, mime: mimeOf(f), base64: bytes.toString('base64') });
      } else if (isDataPath(f)) {
        const parsed = parsePlotFile(f, await this.show(mirror, sha, prefix + f));
        if (parsed.ok) series.push({ path: f, rows: parsed.rows });
        else errors[f] = parsed.error;
      }
    }
    const out = { definitions, series, images, errors };
    if (this.cache.size > 500) this.cache.clear();
    this.cache.set(key, out);
    return out;
  }

  private async blob(mirror: string, object: string): Promise<Buffer | null> {
    const cat = new CatFile(mirror);
    try {
      return await cat.contents(object);
    } finally {
      cat.close();
    }
  }

  private show(mirror: string, sha: string, file: string): Promise<string> {
    return git(['show', `${sha}:${file}`], { cwd: mirror });
  }
}
