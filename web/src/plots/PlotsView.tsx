import { useMemo } from 'react';
import { ImageGrid } from './ImageGrid.js';
import { imageGrid } from './images.js';
import { PlotCard } from './PlotCard.js';
import { buildPlot, collectDefinitions, type LabeledSource, type PlotModel } from './plot-data.js';

const isWide = (m: PlotModel): boolean => m.template.startsWith('confusion') || m.template.startsWith('bar_');
import './plots.css';

/** Every plot of the given sources overlaid, one colour per experiment. */
export function PlotsView({
  sources,
  colors,
}: {
  sources: LabeledSource[];
  colors: ReadonlyMap<string, string>;
}) {
  const models = useMemo(() => {
    const all = collectDefinitions(sources).map((d) => buildPlot(d, sources));
    // Curves first, side by side; full-width confusion matrices and bars after them.
    return [...all.filter((m) => !isWide(m)), ...all.filter(isWide)];
  }, [sources]);
  const images = useMemo(() => imageGrid(sources), [sources]);
  const waiting =
    sources.length > 0 && sources.every((s) => s.source.kind === 'experiment' && s.source.rev === '');
  if (models.length === 0 && images.length === 0 && waiting)
    return <div className="plots-empty">No points yet: the curves appear as the run reports them.</div>;
  if (models.length === 0 && images.length === 0)
    return (
      <div className="plots-empty">
        No plots in these rows. DVCLive series, <code>plots:</code> in dvc.yaml and images show up here.
      </div>
    );
  return (
    <div className="plots-grid">
      {models.map((m) => (
        <PlotCard key={m.id} model={m} colors={colors} />
      ))}
      <ImageGrid groups={images} colors={colors} />
    </div>
  );
}
