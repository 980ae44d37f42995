import type { TopLevelSpec } from 'vega-lite';
import type { Datum, PlotModel } from './plot-data.js';
import { smooth } from './smooth.js';

export interface SpecOptions {
  /** Experiment label → colour, in legend order. */
  colors: ReadonlyMap<string, string>;
  /** Smoothing weight for the `smooth` template, 0..0.99. */
  smoothing: number;
  height?: number;
}

const FONT = 'Inter, system-ui, -apple-system, "Segoe UI", sans-serif';

const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: {
    labelColor: '#52525b',
    titleColor: '#52525b',
    titleFontWeight: 500,
    gridColor: '#f0f0f2',
    domainColor: '#d4d4d8',
    tickColor: '#d4d4d8',
    labelFontSize: 11,
    titleFontSize: 11,
  },
  legend: { labelFontSize: 11, titleFontSize: 11, labelColor: '#3f3f46', symbolSize: 80, labelLimit: 220 },
  header: { labelFontSize: 11, labelColor: '#3f3f46' },
} as const;

function colorEncoding(model: PlotModel, colors: ReadonlyMap<string, string>) {
  const used = new Set(model.data.map((d) => d.exp));
  const domain = [...colors.keys()].filter((k) => used.has(k));
  return {
    field: 'exp',
    type: 'nominal' as const,
    title: null,
    scale: { domain, range: domain.map((k) => colors.get(k) ?? '#888') },
    legend: { orient: 'bottom' as const, direction: 'horizontal' as const, columns: 4 },
  };
}

/** The smoothed series drawn over the faded raw one, per experiment and field. */
export function smoothData(data: readonly Datum[], weight: number): (Datum & { raw: number })[] {
  const groups = new Map<string, Datum[]>();
  for (const d of data) {
    const k = `${d.exp}\u0000${d.field}`;
    groups.set(k, [...(groups.get(k) ?? []), d]);
  }
  return [...groups.values()].flatMap((g) => {
    const sorted = [...g].sort((a, b) =>
      typeof a.x === 'number' && typeof b.x === 'number' ? a.x - b.x : 0,
    );
    const ys = smooth(
      sorted.map((d) => (typeof d.y === 'number' ? d.y : Number.NaN)),
      weight,
    );
    return sorted.map((d, i) => ({ ...d, raw: typeof d.y === 'number' ? d.y : Number.NaN, y: ys[i] ?? d.y }));
  });
}

function lineSpec(model: PlotModel, opts: SpecOptions, kind: 'linear' | 'simple' | 'smooth'): TopLevelSpec {
  const color = colorEncoding(model, opts.colors);
  const many = model.fields.length > 1;
  const x = { field: 'x', type: model.xType, title: model.xLabel };
  const y = { field: 'y', type: 'quantitative' as const, title: model.yLabel, scale: { zero: false } };
  const dash = many ? { strokeDash: { field: 'field', type: 'nominal' as const, title: null } } : {};
  const tooltip = [
    { field: 'exp', title: 'experiment' },
    ...(many ? [{ field: 'field', title: 'series' }] : []),
    { field: 'x', title: model.xLabel },
    { field: 'y', title: model.yLabel, format: '.6~g' },
  ];
  const values = kind === 'smooth' ? smoothData(model.data, opts.smoothing) : model.data;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    width: 'container',
    height: opts.height ?? 220,
    data: { values },
    encoding: { x, y, color },
    layer: [
      ...(kind === 'smooth'
        ? [
            {
              mark: { type: 'line' as const, strokeWidth: 1, opacity: 0.25 },
              encoding: { y: { ...y, field: 'raw' } },
            },
          ]
        : []),
      { mark: { type: 'line' as const, strokeWidth: 1.75, interpolate: 'linear' as const }, encoding: dash },
      {
        params: [
          {
            name: 'hover',
            select: { type: 'point' as const, on: 'pointerover', nearest: true, clear: 'pointerout' },
          },
        ],
        mark: { type: 'point' as const, filled: true, size: 36 },
        encoding: {
          opacity: {
            condition: { param: 'hover', empty: false, value: 1 },
            value: kind === 'linear' ? 0.35 : 0,
          },
          tooltip,
        },
      },
    ],
  };
}

function scatterSpec(model: PlotModel, opts: SpecOptions): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    width: 'container',
    height: opts.height ?? 220,
    data: { values: model.data },
    mark: { type: 'point', filled: true, size: 40, opacity: 0.8 },
    encoding: {
      x: { field: 'x', type: model.xType, title: model.xLabel, scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: model.yLabel, scale: { zero: false } },
      color: colorEncoding(model, opts.colors),
      ...(model.fields.length > 1 ? { shape: { field: 'field', type: 'nominal', title: null } } : {}),
      tooltip: [
        { field: 'exp', title: 'experiment' },
        { field: 'x', title: model.xLabel },
        { field: 'y', title: model.yLabel, format: '.6~g' },
      ],
    },
  };
}

function confusionSpec(model: PlotModel, opts: SpecOptions, normalized: boolean): TopLevelSpec {
  const value = normalized ? 'rate' : 'count';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    data: { values: model.data },
    transform: [
      { aggregate: [{ op: 'count', as: 'count' }], groupby: ['exp', 'x', 'y'] },
      { joinaggregate: [{ op: 'sum', field: 'count', as: 'total' }], groupby: ['exp', 'x'] },
      { calculate: 'datum.count / datum.total', as: 'rate' },
    ],
    facet: { column: { field: 'exp', type: 'nominal', title: null, sort: [...opts.colors.keys()] } },
    spec: {
      width: 180,
      height: 180,
      encoding: {
        x: { field: 'x', type: 'nominal', title: model.xLabel },
        y: { field: 'y', type: 'nominal', title: model.yLabel },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: '#fff', strokeWidth: 1 },
          encoding: {
            color: {
              field: value,
              type: 'quantitative',
              scale: { scheme: 'blues' },
              legend: null,
            },
            tooltip: [
              { field: 'exp', title: 'experiment' },
              { field: 'x', title: model.xLabel },
              { field: 'y', title: model.yLabel },
              { field: 'count', title: 'count' },
              { field: 'rate', title: 'rate', format: '.3f' },
            ],
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            text: { field: value, type: 'quantitative', format: normalized ? '.2f' : 'd' },
            color: {
              condition: {
                test: normalized ? 'datum.rate > 0.6' : 'datum.count > 0.6 * datum.total',
                value: '#fff',
              },
              value: '#18181b',
            },
          },
        },
      ],
    },
    resolve: { scale: { color: 'independent' } },
  };
}

function barSpec(model: PlotModel, opts: SpecOptions, sorted: boolean): TopLevelSpec {
  const cats = new Set(model.data.map((d) => d.y)).size;
  const exps = new Set(model.data.map((d) => d.exp)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    width: 'container',
    height: Math.max(opts.height ?? 220, cats * Math.max(exps, 1) * 12),
    data: { values: model.data },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: model.xLabel },
      y: { field: 'y', type: 'nominal', title: model.yLabel, sort: sorted ? '-x' : null },
      yOffset: { field: 'exp', sort: [...opts.colors.keys()] },
      color: colorEncoding(model, opts.colors),
      tooltip: [
        { field: 'exp', title: 'experiment' },
        { field: 'y', title: model.yLabel },
        { field: 'x', title: model.xLabel, format: '.6~g' },
      ],
    },
  };
}

/** The Vega-Lite spec of a DVC template, coloured per experiment. */
export function buildSpec(model: PlotModel, opts: SpecOptions): TopLevelSpec {
  switch (model.template) {
    case 'linear':
    case 'simple':
    case 'smooth':
      return lineSpec(model, opts, model.template);
    case 'scatter':
      return scatterSpec(model, opts);
    case 'confusion':
      return confusionSpec(model, opts, false);
    case 'confusion_normalized':
      return confusionSpec(model, opts, true);
    case 'bar_horizontal':
      return barSpec(model, opts, false);
    case 'bar_horizontal_sorted':
      return barSpec(model, opts, true);
    default:
      return model.template satisfies never;
  }
}
