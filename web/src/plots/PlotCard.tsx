import { useMemo, useState } from 'react';
import type { PlotModel } from './plot-data.js';
import { buildSpec } from './spec.js';
import { VegaChart } from './VegaChart.js';

interface Props {
  model: PlotModel;
  colors: ReadonlyMap<string, string>;
}

export function PlotCard({ model, colors }: Props) {
  const [smoothing, setSmoothing] = useState(0.6);
  const [wide, setWide] = useState(false);
  const spec = useMemo(
    () => buildSpec(model, { colors, smoothing, height: wide ? 320 : 220 }),
    [model, colors, smoothing, wide],
  );
  const confusion = model.template === 'confusion' || model.template === 'confusion_normalized';
  return (
    <figure className={`plot-card${wide || confusion ? ' plot-card-wide' : ''}`} data-plot={model.id}>
      <figcaption className="plot-head">
        <span className="plot-title" title={model.id}>
          {model.title}
        </span>
        <span className="plot-template">{model.template}</span>
        {model.template === 'smooth' && (
          <label className="plot-smooth" title="Exponential moving average weight">
            smooth
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={smoothing}
              onChange={(e) => setSmoothing(Number(e.target.value))}
              aria-label={`Smoothing of ${model.title}`}
            />
            <span className="mono">{smoothing.toFixed(2)}</span>
          </label>
        )}
        {!confusion && (
          <button
            className="btn btn-ghost btn-sm plot-expand"
            onClick={() => setWide((w) => !w)}
            title={wide ? 'Back to the grid' : 'Full width'}
            aria-label={wide ? 'Shrink plot' : 'Expand plot'}
          >
            {wide ? '⤡' : '⤢'}
          </button>
        )}
      </figcaption>
      {model.errors.map((e) => (
        <div key={e} className="plot-error">
          {e}
        </div>
      ))}
      {model.data.length === 0 ? (
        <div className="plot-empty">No points yet for the chosen rows.</div>
      ) : (
        <VegaChart spec={spec} points={model.data.length} />
      )}
    </figure>
  );
}
