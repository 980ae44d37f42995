import { LRUCache } from 'lru-cache';
import path from 'node:path/posix';
import type { PlotDefinition, PlotImage, PlotRow, PlotSeries, PlotSource } from '../../contracts/live.js';
import { collectTableFiles, parseDvcYaml, type DvcYaml } from '../../core/dvc/dvc-yaml.js';
import { pipelineFilesAt } from '../../dvc/dvcignore-at.js';
import {
  collectPlotDefinitions,
  defaultDefinitions,
  isDataPath,
  isImagePath,
} from '../../core/live/plot-defs.js';
import { parsePlotFile } from '../../core/live/plot-file.js';
import { git, GitError } from '../../git/run-git.js';
import { PlotRow as PlotRowSchema } from '../../contracts/live.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { RepoReader } from '../table/repo-reader.js';
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

/** What the plots read of a repository (RepoReader). */
export type PlotsRepo = Pick<
  RepoReader,
  'mirror' | 'resolve' | 'bytesAt' | 'textAt' | 'sizeAt' | 'keptFiles'
>;

const NONE: Awaited<ReturnType<RepoReader['keptFiles']>> = { files: {}, errors: {} };
const isPlotFile = (f: string) => isDataPath(f) || isImagePath(f);

const MiB = 1024 * 1024;
/**
 * Image bytes one commit's plots carry at most (as base64, a third more): a directory of images
 * kept in DVC is up to 200 files of up to the remote cap each. Images past it are named as skipped.
 */
export const IMAGE_BYTES_PER_COMMIT = 16 * MiB;
/** Memory the commits' plots are kept in, least recently used dropped first: images as base64, the rest as JSON. */
export const PLOTS_CACHE_BYTES = 128 * MiB;

export interface PlotsLimits {
  /** default {@link IMAGE_BYTES_PER_COMMIT} */
  imageBytesPerCommit?: number;
  /** default {@link PLOTS_CACHE_BYTES} */
  cacheBytes?: number;
}

const sizeText = (n: number) => (n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`);

/** About what a commit's plots hold in memory, in bytes (base64 and JSON are one byte a character). */
function plotsSize(p: CommitPlots): number {
  const images = p.images.reduce((n, i) => n + i.base64.length + i.path.length + i.mime.length, 0);
  const rest = JSON.stringify([p.definitions, p.series, p.errors]).length;
  return Math.max(1, images + rest);
}

/** Plots of commits (read from the project's mirror) and of live experiments (from their events). */

export class PlotsReader {
  private readonly cache: LRUCache<string, CommitPlots>;
  private readonly imageBudget: number;

  constructor(
    private readonly store: Store,
    private readonly live: LiveService,
    /** The mirror, and plot files a commit keeps in DVC (not in Git), read from its DVC remote within a cap. */
    private readonly repo: PlotsRepo,
    limits: PlotsLimits = {},
  ) {
    this.imageBudget = limits.imageBytesPerCommit ?? IMAGE_BYTES_PER_COMMIT;
    this.cache = new LRUCache({
      max: 500,
      maxSize: limits.cacheBytes ?? PLOTS_CACHE_BYTES,
      sizeCalculation: plotsSize,
    });
  }

  /** What the cached commits' plots take, in bytes as {@link plotsSize} counts them; for tests. */
  get cachedBytes(): { bytes: number; commits: number } {
    return { bytes: this.cache.calculatedSize, commits: this.cache.size };
  }

  async commit(project: string, subdir: string | null, rev: string): Promise<PlotSource> {
    const sha = await this.repo.resolve(project, rev);
    const got = await this.commitPlots(project, subdir ?? '', sha);
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
      const base = await this.commitPlots(project, subdir ?? '', exp.baseline);
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

  private async commitPlots(project: string, subdir: string, sha: string): Promise<CommitPlots> {
    const mirror = this.repo.mirror(project);
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
    for (const f of await pipelineFilesAt(mirror, sha, subdir, tree)) {
      const parsed = parseDvcYaml(await this.text(project, sha, prefix + f), { file: f });
      if (parsed.ok) yamls.push(parsed.value);
      else errors[f] = parsed.error;
    }
    // Plot files the pipeline caches (stage plots, and outs a top-level definition names) are not
    // in Git: they come from the DVC remote, a directory as the plot files it holds.
    const inTree = new Set(tree);
    const inTreeDir = (f: string) => tree.some((t) => t.startsWith(`${f}/`));
    const missing = [...new Set(yamls.flatMap((y) => collectTableFiles(y).plots))].filter(
      (f) => !inTree.has(f) && !inTreeDir(f) && (isPlotFile(f) || path.extname(f) === ''),
    );
    const remote = missing.length ? await this.repo.keptFiles(project, sha, missing, isPlotFile) : NONE;
    Object.assign(errors, remote.errors);
    // a file skipped past the cap still gets its definition, which shows the marker
    const definitions = collectPlotDefinitions(yamls, [
      ...tree,
      ...Object.keys(remote.files),
      ...Object.keys(remote.errors),
    ]);
    const files = new Set(definitions.flatMap((d) => d.files));
    const series: PlotSeries[] = [];
    const images: PlotImage[] = [];
    // images in order until the commit's budget; that one and the rest are named as skipped
    let imageBytes = 0;
    let overBudget = false;
    const withinBudget = (f: string, size: number): boolean => {
      overBudget ||= imageBytes + size > this.imageBudget;
      if (overBudget) {
        errors[f] =
          `skipped: over the plots' image budget of ${sizeText(this.imageBudget)} per commit ` +
          `(this image is ${size} bytes; the images before it take ${imageBytes})`;
        return false;
      }
      imageBytes += size;
      return true;
    };
    for (const f of files) {
      const fromRemote = remote.files[f];
      if (fromRemote !== undefined) {
        if (isImagePath(f)) {
          if (withinBudget(f, fromRemote.length))
            images.push({ path: f, mime: mimeOf(f), base64: fromRemote.toString('base64') });
        } else {
          const parsed = parsePlotFile(f, fromRemote.toString('utf8'));
          if (parsed.ok) series.push({ path: f, rows: parsed.rows });
          else errors[f] = parsed.error;
        }
        continue;
      }
      if (!tree.includes(f)) continue;
      if (isImagePath(f)) {
        // sized before it is read: an image past the budget is never loaded
        if (!withinBudget(f, await this.repo.sizeAt(project, sha, prefix + f))) continue;
        const bytes = await this.repo.bytesAt(project, sha, prefix + f);
        if (bytes) images.push({ path: f, mime: mimeOf(f), base64: bytes.toString('base64') });
      } else if (isDataPath(f)) {
        const parsed = parsePlotFile(f, await this.text(project, sha, prefix + f));
        if (parsed.ok) series.push({ path: f, rows: parsed.rows });
        else errors[f] = parsed.error;
      }
    }
    const out = { definitions, series, images, errors };
    this.cache.set(key, out);
    return out;
  }

  /** A file the commit's tree lists (a submodule reads as empty). */
  private async text(project: string, sha: string, file: string): Promise<string> {
    return (await this.repo.textAt(project, sha, file)) ?? '';
  }
}
