import type { TopLevelSpec } from 'vega-lite';
import type { TrendPoint } from './trends.js';

/** A metric along a branch: one point per commit, gaps where a commit has no value. */
export function trendSpec(points: readonly TrendPoint[], metric: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 320,
    config: {
      font: 'Inter, system-ui, sans-serif',
      view: { stroke: null },
      axis: { gridColor: '#f0f0f2', labelColor: '#52525b', titleColor: '#52525b' },
    },
    data: { values: points.map((p) => ({ ...p, short: p.rev.slice(0, 7) })) },
    encoding: {
      x: {
        field: 'index',
        type: 'ordinal',
        title: 'commit (oldest → newest)',
        axis: {
          labelExpr: `['${points.map((p) => p.rev.slice(0, 7)).join("','")}'][datum.value]`,
          labelAngle: -40,
          labelFont: 'monospace',
        },
      },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
    },
    layer: [
      {
        mark: { type: 'line', color: '#4c78a8', strokeWidth: 2, interpolate: 'linear' },
        transform: [{ filter: 'datum.value != null' }],
      },
      {
        mark: { type: 'point', filled: true, size: 70, color: '#4c78a8' },
        transform: [{ filter: 'datum.value != null' }],
        encoding: {
          tooltip: [
            { field: 'short', title: 'commit' },
            { field: 'message', title: 'message' },
            { field: 'date', title: 'date', type: 'temporal', format: '%Y-%m-%d %H:%M' },
            { field: 'value', title: metric, format: '.6~g' },
          ],
        },
      },
    ],
  };
}
