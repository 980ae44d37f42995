import path from 'node:path/posix';
import type { Value } from '../../contracts/api.js';
import { PlotTemplate, type PlotDefinition } from '../../contracts/live.js';
import type { DvcYaml } from '../dvc/dvc-yaml-model.js';

const IMAGE_EXT = /\.(png|jpe?g|gif|svg|webp)$/i;
const DATA_EXT = /\.(tsv|csv|json|ya?ml)$/i;
/** Where DVCLive writes its metric series. */
export const DVCLIVE_METRICS_DIR = 'dvclive/plots/metrics';

export function isImagePath(p: string): boolean {
  return IMAGE_EXT.test(p);
}
export function isDataPath(p: string): boolean {
  return DATA_EXT.test(p);
}

const str = (v: Value | undefined): string | null => (typeof v === 'string' ? v : null);

function template(v: Value | undefined): PlotDefinition['template'] {
  const t = PlotTemplate.safeParse(v);
  return t.success ? t.data : 'linear';
}

function join(dir: string, p: string): string {
  return path.normalize(path.join(dir || '.', p)).replace(/^\.\//, '');
}

/** Files in `tree` at `p` or under it when `p` is a directory. */
function expand(p: string, tree: readonly string[]): string[] {
  if (tree.includes(p)) return [p];
  return tree.filter((f) => f.startsWith(`${p}/`));
}

function axis(v: Value | undefined, dir: string): PlotDefinition['x'] {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const [f, c] of Object.entries(v)) if (typeof c === 'string') out[join(dir, f)] = c;
    return out;
  }
  return null;
}

function yAxis(v: Value | undefined, dir: string): PlotDefinition['y'] {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, string | string[]> = {};
    for (const [f, c] of Object.entries(v)) {
      if (typeof c === 'string') out[join(dir, f)] = c;
      else if (Array.isArray(c)) out[join(dir, f)] = c.filter((x): x is string => typeof x === 'string');
    }
    return out;
  }
  return null;
}

function define(id: string, props: Record<string, Value>, files: string[], dir: string): PlotDefinition {
  return {
    id,
    template: template(props.template),
    x: axis(props.x, dir),
    y: yAxis(props.y, dir),
    title: str(props.title),
    xLabel: str(props.x_label),
    yLabel: str(props.y_label),
    files,
  };
}

/**
 * Plot definitions of a commit: top-level and stage plots of every dvc.yaml, each file-path plot
 * expanded to the files under it (one definition per file, as DVC renders them), then a default
 * `linear` over `step` for every DVCLive series no definition draws.
 */
export function collectPlotDefinitions(yamls: readonly DvcYaml[], tree: readonly string[]): PlotDefinition[] {
  const defs: PlotDefinition[] = [];
  const perFile = (p: string, props: Record<string, Value>, dir: string) => {
    for (const f of expand(p, tree))
      if (isDataPath(f) || isImagePath(f)) defs.push(define(f, props, [f], dir));
  };
  for (const y of yamls) {
    for (const top of y.plots) {
      const ys = top.props.y;
      if (ys && typeof ys === 'object' && !Array.isArray(ys)) {
        const files = Object.keys(ys).map((f) => join(y.dir, f));
        defs.push(define(top.id, top.props, files, y.dir));
      } else perFile(join(y.dir, top.id), top.props, y.dir);
    }
    for (const st of y.stages)
      for (const p of st.plots) perFile(join(join(y.dir, st.wdir), p.path), p.props, y.dir);
  }
  const drawn = new Set(defs.flatMap((d) => d.files));
  for (const f of tree)
    if (f.startsWith(`${DVCLIVE_METRICS_DIR}/`) && isDataPath(f) && !drawn.has(f))
      defs.push(define(f, { x: 'step' }, [f], ''));
  return defs;
}

/** Default definitions for live series no definition draws (experiments with no dvc.yaml plots). */
export function defaultDefinitions(
  defs: readonly PlotDefinition[],
  series: readonly string[],
): PlotDefinition[] {
  const drawn = new Set(defs.flatMap((d) => d.files));
  return series.filter((s) => !drawn.has(s) && isDataPath(s)).map((s) => define(s, { x: 'step' }, [s], ''));
}
